-- inspect_job: one job as an operator sees it (any owner), from the documented view sluice_jobs.
select job_id, flow_name, flow_id, flow_version, owner, status, attempt, max_attempts, worker,
       queued_at, started_at, finished_at, extract(epoch from wait_duration)::float8 as wait_seconds,
       extract(epoch from run_duration)::float8 as run_seconds, error_code, timeout_seconds,
       idempotency_key
from sluice_jobs
where job_id = $1
