-- ui_job_counts: an owner's jobs by status for the overview: every queued and running one (the
-- live rows of jobs_claimable and jobs_leased) and those that finished since $2 (a range of
-- jobs_finished), so the count costs what the window holds, not the whole history.
select status, count(*) as jobs
from jobs
where (status = 'queued' or status = 'in_progress') and owner = $1
group by status
union all
select status, count(*)
from jobs
where finished_at >= $2 and owner = $1
group by status
