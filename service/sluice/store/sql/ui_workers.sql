-- ui_workers: the workers running an owner's jobs, with how many and how long ago each last renewed a
-- lease (its heartbeat: leases are renewed to now() + $2 seconds).
select worker_id, count(*) as running,
       greatest(0, extract(epoch from now() - (max(lease_expires_at) - make_interval(secs => $2)))) as heartbeat_age
from jobs
where owner = $1 and status = 'in_progress'
group by worker_id
order by worker_id
