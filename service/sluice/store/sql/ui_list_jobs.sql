-- ui_list_jobs: an owner's jobs, newest first, optionally of one status ($2) and flow ($3), after the
-- page that ended at ($4, $5). Keyset pagination on (created_at, id): fast at any depth, unlike OFFSET.
select j.id, j.flow_id, coalesce(f.name, 'ingestion into ' || k.name, 'deleted flow') as flow_name, j.flow_version, j.status, j.attempt,
       j.created_at, j.started_at, j.finished_at, j.error_code
from jobs j
left join flows f on f.id = j.flow_id
-- An ingestion job's flow is its knowledge base (sluice/engine/ingestion.py).
left join knowledge_bases k on k.id = j.flow_id
where j.owner = $1
  and ($2::text is null or j.status = $2)
  and ($3::uuid is null or j.flow_id = $3)
  and ($4::timestamptz is null or (j.created_at, j.id) < ($4, $5::uuid))
order by j.created_at desc, j.id desc
limit $6
