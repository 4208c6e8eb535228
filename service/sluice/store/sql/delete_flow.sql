-- delete_flow: remove a flow and its versions. Its jobs stay, for their history; queued ones end in
-- error when a worker finds their version gone. API processes drop the flow from their caches.
with deleted as (
    delete from flows where id = $1 and owner = $2 returning id
)
select id, pg_notify('sluice_flows', id::text) from deleted
