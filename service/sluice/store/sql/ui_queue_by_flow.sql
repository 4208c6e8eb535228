-- ui_queue_by_flow: per flow of an owner, jobs waiting and running, and how long the oldest has waited.
select j.flow_id, coalesce(f.name, 'ingestion into ' || k.name, 'deleted flow') as flow_name,
       count(*) filter (where j.status = 'queued') as queued,
       count(*) filter (where j.status = 'in_progress') as running,
       extract(epoch from now() - min(j.created_at) filter (where j.status = 'queued')) as oldest_queued_seconds
from jobs j
left join flows f on f.id = j.flow_id
-- An ingestion job's flow is its knowledge base (sluice/engine/ingestion.py).
left join knowledge_bases k on k.id = j.flow_id
where j.owner = $1 and j.status in ('queued', 'in_progress')
group by j.flow_id, f.name, k.name
order by queued desc, running desc
