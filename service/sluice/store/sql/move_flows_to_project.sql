-- move_flows_to_project: put an owner's flows ($3, ids) into their project $1. Others' flows stay put.
-- API processes drop the moved flows from their caches.
with moved as (
    update flows set project_id = $1, updated_at = now()
    where owner = $2 and id = any($3::uuid[])
    returning id
)
select count(pg_notify('sluice_flows', id::text)) from moved
