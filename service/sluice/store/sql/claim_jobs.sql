-- claim_jobs: take up to $2 queued jobs, oldest first, for worker $1 with a lease of $3 seconds,
-- and log each claim as the job's next event in the same statement.
-- The CTE fences the LIMIT (without it some plans lock more rows than asked) and SKIP LOCKED lets
-- concurrent workers claim disjoint batches without waiting on each other. The partial index
-- jobs_claimable keeps this scan to queued rows only.
with next as (
    select id
    from jobs
    where status = 'queued'
    order by created_at, id
    limit $2
    for update skip locked
),
claimed as (
    update jobs j
    set status = 'in_progress',
        attempt = j.attempt + 1,
        event_seq = j.event_seq + 1,
        worker_id = $1,
        started_at = now(),
        lease_expires_at = now() + make_interval(secs => $3)
    from next
    where j.id = next.id
    returning j.id, j.owner, j.flow_id, j.flow_version, j.attempt, j.max_attempts, j.event_seq, j.created_at,
              j.timeout_seconds
),
logged as (
    insert into job_events (job_id, seq, type, data)
    select id, event_seq, 'status', jsonb_build_object('status', 'in_progress', 'attempt', attempt, 'worker', $1)
    from claimed
)
select c.*, i.inputs, i.secrets
from claimed c
join job_inputs i on i.job_id = c.id
