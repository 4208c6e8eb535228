-- ui_job_counts: an owner's jobs by status, for the dashboard's overview.
select status, count(*) as jobs
from jobs
where owner = $1
group by status
