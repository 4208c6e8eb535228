-- list_api_keys: keys by owner, without their secrets.
select id, owner, name, created_at, revoked_at
from api_keys
where $1::text is null or owner = $1
order by owner, created_at
