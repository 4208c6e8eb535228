-- ui_latency: for an owner's jobs that finished since $2, per bucket of $3, the median and 95th
-- percentile of the wait (created to last claim) and of the run (last claim to finish), in
-- seconds. Same range scan of jobs_finished as ui_finished_by_status.
select date_bin($3::interval, finished_at, $2) as bucket,
       percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from started_at - created_at)) as wait,
       percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from finished_at - started_at)) as run
from jobs
where finished_at >= $2 and owner = $1 and started_at is not null
group by 1
order by 1
