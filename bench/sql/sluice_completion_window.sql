-- sluice_completion_window: completed jobs, and the seconds from the first enqueue to the last finish.
select count(*) filter (where status = 'completed') as completed,
       extract(epoch from max(finished_at) - min(created_at))::float8 as seconds
from jobs
