-- sluice_completed_within: jobs finished within $1 seconds of the first enqueue.
select count(*) from jobs
where finished_at < (select min(created_at) from jobs) + make_interval(secs => $1)
