-- 003: what operators need: flow time limits, idempotent submission, retention, a workers table,
-- and documented views for answering questions about jobs with SQL.

-- A flow may lower the maximum run time of its jobs (SLUICE_JOB_TIMEOUT caps every job). The job
-- keeps the limit it was submitted with, so changing a flow does not change jobs already queued.
alter table flows add column timeout_seconds int check (timeout_seconds > 0);
alter table jobs add column timeout_seconds int check (timeout_seconds > 0);

-- A repeat of a submission with the same key from the same owner returns the original job. Only
-- keyed rows are indexed; the key lives as long as its job (until retention deletes it).
alter table jobs add column idempotency_key text;
create unique index jobs_idempotency on jobs (owner, idempotency_key) where idempotency_key is not null;

-- Retention deletes finished jobs oldest first, in small batches; this index finds them without
-- scanning the table, and holds finished rows only.
create index jobs_finished on jobs (finished_at) where finished_at is not null;

-- Live worker processes. Each upserts its row every few seconds and deletes it when it stops;
-- rows of workers that vanished are deleted by retention a day after their last heartbeat.
create table workers (
    id text primary key,
    hostname text not null,
    pid int not null,
    concurrency int not null,
    started_at timestamptz not null default now(),
    heartbeat_at timestamptz not null default now(),
    -- Set when the worker got SIGTERM: it claims nothing more and finishes or hands back its jobs.
    stopping_since timestamptz
)
-- Storage settings of the hot tables, reviewed:
-- * jobs (001): fillfactor 70 and aggressive autovacuum, for rows updated several times each.
-- * workers: every row is rewritten by each heartbeat. heartbeat_at is not indexed, so with half
--   of each page free those updates stay HOT (no index writes) and the table stays a few pages.
-- * job_events, job_inputs, files: written once, never updated, deleted by retention in batches.
--   Full pages (the default fillfactor) are right for them; autovacuum should reclaim what
--   retention deleted before the next day's deletes, so it runs at 5 % dead rows, not 20 %.
with (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 100);
alter table job_events set (autovacuum_vacuum_scale_factor = 0.05);
alter table job_inputs set (autovacuum_vacuum_scale_factor = 0.05);
alter table files set (autovacuum_vacuum_scale_factor = 0.05);

-- sluice_jobs: one row per job, for people asking questions in SQL. Times come from the last
-- claim: `wait_duration` is creation to start (or to now while queued), `run_duration` start to
-- finish (or to now while running). `flow_name` is null once the flow is deleted.
create view sluice_jobs as
select j.id as job_id,
       f.name as flow_name,
       j.flow_id,
       j.flow_version,
       j.owner,
       j.status,
       j.attempt,
       j.max_attempts,
       j.worker_id as worker,
       j.created_at as queued_at,
       j.started_at,
       j.finished_at,
       case when j.status = 'queued' then now() - j.created_at
            else j.started_at - j.created_at end as wait_duration,
       case when j.status = 'queued' then null
            else coalesce(j.finished_at, now()) - j.started_at end as run_duration,
       j.error_code,
       j.timeout_seconds,
       j.idempotency_key
from jobs j
left join flows f on f.id = j.flow_id;

-- sluice_queue: the live queue, one row per flow and status (queued, in_progress): how many jobs,
-- and how long the oldest one has waited (queued) or run (in_progress). Finished jobs are left
-- out, so this reads only the rows the partial indexes jobs_claimable and jobs_leased cover.
create view sluice_queue as
select f.name as flow_name,
       j.flow_id,
       j.status,
       count(*) as jobs,
       max(case when j.status = 'queued' then now() - j.created_at
                else now() - j.started_at end) as oldest_age
from jobs j
left join flows f on f.id = j.flow_id
where j.status in ('queued', 'in_progress')
group by f.name, j.flow_id, j.status;
