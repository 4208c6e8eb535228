-- delete_finished_jobs: the benchmark's stand-in for a retention duty: delete up to $1 finished jobs
-- (their inputs and events go with them, by cascade), in small batches so no transaction runs long.
with doomed as (
    select id from jobs where status not in ('queued', 'in_progress') limit $1
)
delete from jobs where id in (select id from doomed)
