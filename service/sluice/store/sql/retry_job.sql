-- retry_job: queue a failed, error or timed-out job again (`sluice jobs retry`). The next claim
-- runs it as a new attempt, and it gets a fresh budget of $2 attempts from there. The row is read
-- and written under its lock, so no fence is needed; other statuses are left alone. The last
-- claim's event, told until now by the columns this clears, is stored first (see claim_jobs.sql).
-- $1 job id, $2 attempts allowed from now on, $3 the owner (null: any, for operators)
with finished as (
    select id, claimed_seq, attempt, worker_id, started_at
    from jobs
    where id = $1 and status in ('failed', 'error', 'timed_out') and ($3::text is null or owner = $3)
    for update
),
retried as (
    update jobs j
    set status = 'queued',
        max_attempts = j.attempt + $2,
        event_seq = j.event_seq + 1,
        claimed_seq = null,
        error_code = null,
        worker_id = null,
        started_at = null,
        finished_at = null
    from finished
    where j.id = finished.id
    returning j.id, j.attempt, j.event_seq
),
last_claim as (
    insert into job_events (job_id, seq, type, data, created_at)
    select id, claimed_seq, 'status',
           jsonb_build_object('status', 'in_progress', 'attempt', attempt, 'worker', worker_id), started_at
    from finished
    where claimed_seq is not null
),
logged as (
    insert into job_events (job_id, seq, type, data)
    select id, event_seq, 'status', jsonb_build_object('status', 'queued', 'reason', 'retry', 'attempt', attempt)
    from retried
)
select id, attempt, pg_notify('sluice_queued', ''), pg_notify('sluice_job', id::text || ':queued')
from retried
