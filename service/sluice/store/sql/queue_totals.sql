-- queue_totals: jobs waiting and running, across all flows (`sluice status`); reads the queue's
-- partial indexes only, through the documented view.
select status::text as status, sum(jobs)::int as jobs
from sluice_queue
group by status
