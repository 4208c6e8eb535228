-- sluice_drain_window: completed jobs, and the seconds from the first claim to the last finish.
select count(*) as jobs, extract(epoch from max(finished_at) - min(started_at))::float8 as seconds
from jobs
where status = 'completed'
