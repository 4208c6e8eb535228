-- worker_leases: each worker that holds running jobs, how many, and when its newest lease ends.
-- Workers renew their leases every second or so, so a lease end drifting into the past means a
-- worker that stopped beating. The partial index jobs_leased keeps this to running jobs.
select worker_id,
       count(*) as running,
       extract(epoch from max(lease_expires_at))::float8 as lease_expires
from jobs
where status = 'in_progress'
group by worker_id
