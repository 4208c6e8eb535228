-- job_metrics: the queue as /metrics reports it, read at scrape time so that every API process
-- reports the same figures however many workers and API processes there are. One scan of jobs,
-- grouped by status and by histogram bucket of run time (claim to finish) and queue wait (creation
-- to claim). Durations are NULL where they do not apply yet (no claim, not finished).
-- $1: the buckets' upper bounds in seconds, negated and in ascending order. width_bucket over them
-- counts the bounds a duration does not exceed, which is what a Prometheus `le` bucket needs.
with durations as (
    select status,
           created_at,
           extract(epoch from finished_at - started_at)::float8 as run_seconds,
           extract(epoch from started_at - created_at)::float8 as wait_seconds
    from jobs
)
select status,
       width_bucket(-run_seconds, $1::float8[]) as run_bounds,
       width_bucket(-wait_seconds, $1::float8[]) as wait_bounds,
       count(*) as jobs,
       coalesce(sum(run_seconds), 0) as run_seconds,
       coalesce(sum(wait_seconds), 0) as wait_seconds,
       extract(epoch from now() - min(created_at))::float8 as oldest_seconds
from durations
group by status, run_bounds, wait_bounds
