-- insert_flow: a new flow and its first version.
-- $1 id, $2 owner, $3 name, $4 description, $5 endpoint name, $6 version, $7 graph (jsonb),
-- $8 the time limit of its jobs in seconds, or null, $9 its project (the owner's), or null
with flow as (
    insert into flows (id, owner, name, description, endpoint_name, current_version, timeout_seconds, project_id)
    values ($1, $2, $3, $4, $5, $6, $8, $9)
    returning id, name, description, endpoint_name, current_version, created_at, updated_at, timeout_seconds,
              project_id
),
version as (
    insert into flow_versions (flow_id, version, graph)
    select id, $6, $7 from flow
)
select * from flow
