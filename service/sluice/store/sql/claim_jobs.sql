-- claim_jobs: take up to $2 queued jobs, oldest first, for worker $1 with a lease of $3 seconds.
-- The CTE fences the LIMIT (without it some plans lock more rows than asked) and SKIP LOCKED lets
-- concurrent workers claim disjoint batches without waiting on each other. The partial index
-- jobs_claimable keeps this scan to queued rows only.
-- The claim is the job's next event, `in_progress`, which the row tells (implied_claim_events)
-- rather than a row of its own. A job claimed before (put back by the rescuer, resumed after a
-- pause) has its last claim told that way until now, so that event is stored first: every part of
-- the statement sees the rows as they were before it, so the view still tells the earlier claim.
with next as (
    select id, claimed_seq
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
        claimed_seq = j.event_seq + 1,
        worker_id = $1,
        started_at = now(),
        lease_expires_at = now() + make_interval(secs => $3)
    from next
    where j.id = next.id
    returning j.id, j.owner, j.flow_id, j.flow_version, j.attempt, j.max_attempts, j.event_seq, j.created_at,
              j.timeout_seconds
),
earlier_claims as (
    insert into job_events (job_id, seq, type, data, created_at)
    select * from implied_claim_events
    where job_id in (select id from next where claimed_seq is not null)
)
select c.*, i.inputs, i.secrets
from claimed c
join job_inputs i on i.job_id = c.id
