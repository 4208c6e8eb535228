-- retry_job: queue a failed, error or timed-out job again (`sluice jobs retry`). The next claim
-- runs it as a new attempt, and it gets a fresh budget of $2 attempts from there. The update reads
-- and writes the row under its lock, so no fence is needed; other statuses are left alone.
-- The last claim's event, which the row tells (implied_claim_events) from the columns this clears,
-- is stored first; the insert sees the row as it was before the update (see claim_jobs.sql).
-- $1 job id, $2 attempts allowed from now on, $3 the owner (null: any, for operators)
with retried as (
    update jobs
    set status = 'queued',
        max_attempts = attempt + $2,
        event_seq = event_seq + 1,
        claimed_seq = null,
        error_code = null,
        worker_id = null,
        started_at = null,
        finished_at = null
    where id = $1 and status in ('failed', 'error', 'timed_out') and ($3::text is null or owner = $3)
    returning id, attempt, event_seq
),
last_claim as (
    insert into job_events (job_id, seq, type, data, created_at)
    select * from implied_claim_events where job_id in (select id from retried)
),
logged as (
    insert into job_events (job_id, seq, type, data)
    select id, event_seq, 'status', jsonb_build_object('status', 'queued', 'reason', 'retry', 'attempt', attempt)
    from retried
)
select id, attempt, pg_notify('sluice_queued', ''), pg_notify('sluice_job', id::text || ':queued')
from retried
