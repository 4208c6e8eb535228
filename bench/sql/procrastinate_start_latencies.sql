-- procrastinate_start_latencies: milliseconds from each job's enqueue to its start, by the database's clock.
select extract(epoch from started.at - deferred.at)::float8 * 1000 as ms
from procrastinate_events deferred
join procrastinate_events started on started.job_id = deferred.job_id and started.type = 'started'
where deferred.type = 'deferred'
