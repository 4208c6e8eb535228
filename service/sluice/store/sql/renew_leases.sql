-- renew_leases: the worker's heartbeat for all its running jobs at once ($1 ids, $2 attempts).
-- Lease times come from the database clock, never the worker's. Jobs missing from the result were
-- stopped or taken over: the worker abandons them.
update jobs j
set lease_expires_at = now() + make_interval(secs => $3)
from unnest($1::uuid[], $2::int[]) as held(job_id, attempt)
where j.id = held.job_id and j.attempt = held.attempt and j.status = 'in_progress'
returning j.id
