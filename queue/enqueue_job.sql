-- enqueue_job: insert one job with its inputs and its first event, and wake the workers.
-- One round trip and at most one NOTIFY per statement: a NOTIFY per row would serialise commits
-- on the global notify lock.
-- $1 job id, $2 owner, $3 flow id, $4 flow version, $5 max attempts, $6 inputs (jsonb),
-- $7 encrypted per-run global variables (X-LANGFLOW-GLOBAL-VAR-* headers) or null
with job as (
    insert into jobs (id, owner, flow_id, flow_version, max_attempts, event_seq)
    values ($1, $2, $3, $4, $5, 1)
    returning id, created_at
),
inputs as (
    insert into job_inputs (job_id, inputs, secrets)
    select id, $6, $7 from job
),
first_event as (
    insert into job_events (job_id, seq, type, data)
    select id, 1, 'status', '{"status": "queued"}' from job
)
select created_at, pg_notify('sluice_queued', '') from job
