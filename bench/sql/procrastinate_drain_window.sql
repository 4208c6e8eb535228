-- procrastinate_drain_window: finished jobs, and the seconds from the first start to the last finish.
select count(*) filter (where type = 'succeeded') as jobs,
       extract(epoch from max(at) filter (where type = 'succeeded')
                        - min(at) filter (where type = 'started'))::float8 as seconds
from procrastinate_events
