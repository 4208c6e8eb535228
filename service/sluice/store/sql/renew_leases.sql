-- renew_leases: the worker's heartbeat for all its running jobs at once ($1 ids, $2 attempts,
-- $3 lease seconds). The worker asks every second, but a lease is written only once a third of it
-- has passed: a job running for minutes costs a row update every lease/3 seconds, not every second,
-- and jobs shorter than that cost none. Lease times come from the database clock, never the
-- worker's. The result is every job the worker still holds; one missing was stopped or taken over,
-- and the worker abandons it.
with held as (
    select j.id, j.attempt, j.lease_expires_at < now() + make_interval(secs => $3 * 2 / 3) as due
    from jobs j
    join unnest($1::uuid[], $2::int[]) as h(job_id, attempt) on j.id = h.job_id and j.attempt = h.attempt
    where j.status = 'in_progress'
),
renewed as (
    update jobs j
    set lease_expires_at = now() + make_interval(secs => $3)
    from held
    where j.id = held.id and held.due and j.attempt = held.attempt and j.status = 'in_progress'
    returning j.id
)
select id from held where not due
union all
select id from renewed
