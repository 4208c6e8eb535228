-- list_jobs: jobs for `sluice jobs list`, newest first, optionally by status ($1) and by flow
-- name or id ($2). Reads the documented view sluice_jobs.
select job_id, flow_name, flow_id, owner, status, attempt, worker, queued_at, started_at,
       finished_at, extract(epoch from wait_duration)::float8 as wait_seconds,
       extract(epoch from run_duration)::float8 as run_seconds, error_code
from sluice_jobs
where ($1::text is null or status = $1)
  and ($2::text is null or flow_name = $2 or flow_id::text = $2)
order by queued_at desc, job_id
limit $3
