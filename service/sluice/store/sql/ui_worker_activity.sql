-- ui_worker_activity: the workers running an owner's jobs or that finished one since $2: heartbeat
-- age, whether the worker is stopping, its slots, and of that owner's jobs how many it runs and how
-- many it finished since $2. Other owners' work is neither listed nor counted. Running jobs come
-- from jobs_leased, finished ones from a range of jobs_finished.
with mine as (
    select worker_id, count(*) filter (where status = 'in_progress') as running,
           count(*) filter (where finished_at >= $2) as finished
    from jobs
    where owner = $1 and (status = 'in_progress' or finished_at >= $2) and worker_id is not null
    group by worker_id
)
select w.id, w.concurrency, w.started_at, w.stopping_since is not null as stopping,
       extract(epoch from now() - w.heartbeat_at)::float8 as heartbeat_age,
       coalesce(m.running, 0) as running, coalesce(m.finished, 0) as finished
from workers w
join mine m on m.worker_id = w.id
order by w.started_at, w.id
