-- delete_project: remove an owner's project and its flows (their jobs stay, as when a flow is
-- deleted). API processes drop each deleted flow from their caches. Null when not found.
with doomed as (
    delete from flows where project_id = $1 and owner = $2 returning id
),
notified as (
    select count(pg_notify('sluice_flows', id::text)) as flows from doomed
),
project as (
    delete from projects where id = $1 and owner = $2 returning id
)
select project.id, notified.flows from project, notified
