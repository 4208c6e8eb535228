-- enqueue_jobs: insert a batch of jobs, each with its inputs, and wake the workers. A job's first
-- event (seq 1, `queued`) is implied by its row, not stored (sql/read_job_events.sql).
-- The API groups the submissions that arrive while its previous insert runs (group commit), so under
-- load many runs cost one round trip, one commit and one NOTIFY: a NOTIFY per row would serialise
-- commits on the global notify lock.
-- A repeat of an idempotency key by the same owner inserts nothing and returns the original job.
-- The conflict branch is DO UPDATE (a no-op write), not DO NOTHING: it waits for a concurrent
-- insert of the same key to commit and then returns that row, which DO NOTHING cannot see. A batch
-- never holds one key twice (DO UPDATE cannot touch a row twice in one statement).
-- Each job takes its flow's time limit as it is now (null: only SLUICE_JOB_TIMEOUT applies).
-- One element per job: $1 job id, $2 owner, $3 flow id, $4 flow version, $5 max attempts,
-- $6 inputs (jsonb), $7 encrypted per-run global variables (X-LANGFLOW-GLOBAL-VAR-* headers) or
-- null, $8 idempotency key or null, $9 the options of a Langflow 1.13 body (jsonb) or null
with submitted as (
    select *
    from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::bytea[], $8::text[],
                $9::jsonb[])
        as s(id, owner, flow_id, flow_version, max_attempts, inputs, secrets, idempotency_key, request)
),
job as (
    insert into jobs (id, owner, flow_id, flow_version, max_attempts, event_seq, idempotency_key,
                      timeout_seconds)
    select s.id, s.owner, s.flow_id, s.flow_version, s.max_attempts, 1, s.idempotency_key, f.timeout_seconds
    from submitted s
    left join flows f on f.id = s.flow_id
    on conflict (owner, idempotency_key) where idempotency_key is not null
        do update set idempotency_key = excluded.idempotency_key
    returning id, owner, idempotency_key, flow_id, status, created_at
),
inserted as (
    select s.id, s.inputs, s.secrets, s.request
    from submitted s
    join job j on j.id = s.id
),
inputs as (
    insert into job_inputs (job_id, inputs, secrets, request)
    select id, inputs, secrets, request from inserted
),
woken as (
    select pg_notify('sluice_queued', '') where exists (select from inserted)
)
-- Each submission with the job it landed in: its own, or the one its idempotency key named first.
select s.id as submitted_id, j.id, j.flow_id, j.status, j.created_at, j.id = s.id as inserted
from submitted s
join job j on j.id = s.id or (j.owner = s.owner and j.idempotency_key = s.idempotency_key)
left join woken on true
