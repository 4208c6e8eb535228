-- sluice_drain_window_since: jobs completed by workers that started at or after $1, and the seconds
-- from the first of those claims to the last finish.
select count(*) as jobs, extract(epoch from max(finished_at) - min(started_at))::float8 as seconds
from jobs
where status = 'completed' and started_at >= $1
