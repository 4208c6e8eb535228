-- release_job: hand a running job back to the queue without counting its attempt, for a worker
-- shutting down whose grace period ran out. The attempt goes back to what it was before the claim,
-- so the next claim runs the same attempt number again. Fenced like every worker write on
-- (attempt, status, event_seq); event_seq only grows, so a writer from the released run can never
-- match the row again even when the next claim brings the attempt back to the same number.
-- The claim's event, which the row tells (implied_claim_events) from the columns this clears, is
-- stored first; the insert sees the row as it was before the update (see claim_jobs.sql).
-- $1 job id, $2 attempt, $3 the event seq the worker last wrote, $4 event types, $5 event data
with released as (
    update jobs
    set status = 'queued',
        attempt = attempt - 1,
        event_seq = $3 + cardinality($4::text[]),
        claimed_seq = null,
        worker_id = null,
        started_at = null,
        lease_expires_at = null
    where id = $1 and attempt = $2 and status = 'in_progress' and event_seq = $3
    returning id
),
claim as (
    insert into job_events (job_id, seq, type, data, created_at)
    select * from implied_claim_events where job_id in (select id from released)
),
appended as (
    insert into job_events (job_id, seq, type, data)
    select released.id, $3 + e.n, e.type, e.data
    from released, unnest($4::text[], $5::jsonb[]) with ordinality as e(type, data, n)
)
select id, pg_notify('sluice_queued', ''), pg_notify('sluice_job', id::text || ':queued')
from released
