-- ui_finished_by_status: an owner's jobs that finished since $2, by final status and bucket of $3
-- (aligned on $2). A range scan of jobs_finished (finished rows only), so the cost follows the
-- window, not the history behind it.
select date_bin($3::interval, finished_at, $2) as bucket, status, count(*) as jobs
from jobs
where finished_at >= $2 and owner = $1
group by 1, 2
order by 1, 2
