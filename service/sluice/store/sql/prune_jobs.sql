-- prune_jobs: delete one small batch of jobs that finished more than $1 days ago, with their
-- inputs, events and files; returns how many rows of each went.
-- The transaction-level advisory lock $3 lets one batch run at a time across the cluster (taken
-- first, as a one-time filter; `held` says whether this batch got it). It is released at commit,
-- so no session state is needed and it works through a transaction-mode pooler. SKIP LOCKED
-- passes over a job someone is retrying right now; jobs_finished finds the oldest without a scan.
-- Events and files are deleted here rather than by the cascades, to count them.
with lock as (
    select pg_try_advisory_xact_lock($3) as held
),
doomed as (
    select id
    from jobs
    where finished_at < now() - $1::float8 * interval '1 day'
      and (select held from lock)
    order by finished_at
    limit $2
    for update skip locked
),
events as (
    delete from job_events e using doomed d where e.job_id = d.id returning 1
),
files as (
    delete from files f using doomed d where f.job_id = d.id returning 1
),
inputs as (
    delete from job_inputs i using doomed d where i.job_id = d.id returning 1
),
gone as (
    delete from jobs j using doomed d where j.id = d.id returning 1
)
select (select held from lock) as held,
       (select count(*) from gone) as jobs,
       (select count(*) from events) as events,
       (select count(*) from files) as files
