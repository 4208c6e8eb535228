-- list_workers: the workers table with each worker's heartbeat age and running jobs. `state` is
-- `silent` once a worker missed its heartbeats for $1 seconds (it died or lost the database).
-- Running jobs come from the jobs_leased partial index (in_progress rows only).
select w.id, w.hostname, w.pid, w.concurrency, w.started_at,
       extract(epoch from now() - w.heartbeat_at)::float8 as heartbeat_age,
       case when w.heartbeat_at < now() - make_interval(secs => $1) then 'silent'
            when w.stopping_since is not null then 'stopping'
            else 'live' end as state,
       coalesce(array_agg(j.id order by j.started_at) filter (where j.id is not null), '{}') as running
from workers w
left join jobs j on j.worker_id = w.id and j.status = 'in_progress'
group by w.id
order by w.started_at, w.id
