-- flow_owner: who owns the flow with this id (webhooks without authentication run as the owner).
select owner from flows where id = $1
