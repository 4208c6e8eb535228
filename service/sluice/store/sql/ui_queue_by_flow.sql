-- ui_queue_by_flow: per flow of an owner, jobs waiting and running, and how long the oldest has waited.
select j.flow_id, coalesce(f.name, 'deleted flow') as flow_name,
       count(*) filter (where j.status = 'queued') as queued,
       count(*) filter (where j.status = 'in_progress') as running,
       extract(epoch from now() - min(j.created_at) filter (where j.status = 'queued')) as oldest_queued_seconds
from jobs j
left join flows f on f.id = j.flow_id
where (j.status = 'queued' or j.status = 'in_progress') and j.owner = $1
group by j.flow_id, f.name
order by queued desc, running desc
