-- list_flows: an owner's flows, newest first.
select id, name, description, endpoint_name, current_version, created_at, updated_at, timeout_seconds
from flows
where owner = $1
order by created_at desc, id
