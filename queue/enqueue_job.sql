-- enqueue_job: insert one job with its inputs and its first event, and wake the workers.
-- One round trip and at most one NOTIFY per statement: a NOTIFY per row would serialise commits
-- on the global notify lock.
-- A repeat of an idempotency key by the same owner inserts nothing and returns the original job.
-- The conflict branch is DO UPDATE (a no-op write), not DO NOTHING: it waits for a concurrent
-- insert of the same key to commit and then returns that row, which DO NOTHING cannot see.
-- The job takes its flow's time limit as it is now (null: only SLUICE_JOB_TIMEOUT applies).
-- $1 job id, $2 owner, $3 flow id, $4 flow version, $5 max attempts, $6 inputs (jsonb),
-- $7 encrypted per-run global variables (X-LANGFLOW-GLOBAL-VAR-* headers) or null,
-- $8 idempotency key or null
with job as (
    insert into jobs (id, owner, flow_id, flow_version, max_attempts, event_seq, idempotency_key,
                      timeout_seconds)
    values ($1, $2, $3, $4, $5, 1, $8, (select timeout_seconds from flows where id = $3))
    on conflict (owner, idempotency_key) where idempotency_key is not null
        do update set idempotency_key = excluded.idempotency_key
    returning id, flow_id, status, created_at
),
inputs as (
    insert into job_inputs (job_id, inputs, secrets)
    select id, $6, $7 from job where id = $1
),
first_event as (
    insert into job_events (job_id, seq, type, data)
    select id, 1, 'status', '{"status": "queued"}' from job where id = $1
)
select id, flow_id, status, created_at, id = $1 as inserted,
       case when id = $1 then pg_notify('sluice_queued', '') end as notified
from job
