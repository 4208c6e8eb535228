-- pgqueuer_start_latencies: milliseconds from each job's enqueue to its pick, by the database's clock.
select extract(epoch from picked.created - queued.created)::float8 * 1000 as ms
from pgqueuer_log queued
join pgqueuer_log picked on picked.job_id = queued.job_id and picked.status = 'picked'
where queued.status = 'queued'
