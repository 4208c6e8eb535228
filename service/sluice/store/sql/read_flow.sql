-- read_flow: an owner's flow by id ($2, may be null) or endpoint name ($3), with its current graph.
select f.id, f.name, f.description, f.endpoint_name, f.current_version, f.created_at, f.updated_at,
       f.timeout_seconds, f.project_id,
       v.graph
from flows f
join flow_versions v on v.flow_id = f.id and v.version = f.current_version
where f.owner = $1 and (f.id = $2 or f.endpoint_name = $3)
