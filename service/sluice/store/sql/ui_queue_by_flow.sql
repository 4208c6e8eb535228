-- ui_queue_by_flow: per flow of an owner, jobs waiting and running, and how long the oldest has waited.
select j.flow_id, coalesce(f.name, 'ingestion into ' || k.name, 'deleted flow') as flow_name,
       count(*) filter (where j.status = 'queued') as queued,
       count(*) filter (where j.status = 'in_progress') as running,
       extract(epoch from now() - min(j.created_at) filter (where j.status = 'queued')) as oldest_queued_seconds
from jobs j
left join flows f on f.id = j.flow_id
-- An ingestion job's flow is its knowledge base (sluice/engine/ingestion.py).
left join knowledge_bases k on k.id = j.flow_id
-- Two equalities joined by OR, not IN: the planner matches each to its partial index (jobs_claimable,
-- jobs_leased), so the scan reads live rows only; `status in (...)` matches neither and scans history.
where (j.status = 'queued' or j.status = 'in_progress') and j.owner = $1
group by j.flow_id, f.name, k.name
order by queued desc, running desc
