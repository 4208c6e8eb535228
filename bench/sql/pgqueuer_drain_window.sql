-- pgqueuer_drain_window: finished jobs, and the seconds from the first pick to the last finish.
select count(*) filter (where status = 'successful') as jobs,
       extract(epoch from max(created) filter (where status = 'successful')
                        - min(created) filter (where status = 'picked'))::float8 as seconds
from pgqueuer_log
