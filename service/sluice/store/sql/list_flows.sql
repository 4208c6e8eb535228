-- list_flows: an owner's flows, newest first; with $2, only those of that project.
select id, name, description, endpoint_name, current_version, created_at, updated_at, timeout_seconds, project_id
from flows
where owner = $1 and ($2::uuid is null or project_id = $2)
order by created_at desc, id
