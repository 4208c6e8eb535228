-- update_flow: add a version (unless that exact graph is stored already) and make it current.
-- Old versions stay, so jobs and callers that pinned them keep running them.
-- $1 id, $2 owner, $3 name, $4 description, $5 endpoint name, $6 version, $7 graph (jsonb),
-- $8 the time limit of its jobs in seconds, or null, $9 its project (the owner's), or null
with flow as (
    update flows
    set name = $3, description = $4, endpoint_name = $5, current_version = $6, timeout_seconds = $8,
        project_id = $9, updated_at = now()
    where id = $1 and owner = $2
    returning id, name, description, endpoint_name, current_version, created_at, updated_at, timeout_seconds,
              project_id
),
version as (
    insert into flow_versions (flow_id, version, graph)
    select id, $6, $7 from flow
    on conflict (flow_id, version) do nothing
)
-- API processes drop the flow from their caches on this NOTIFY.
select flow.*, pg_notify('sluice_flows', id::text) from flow
