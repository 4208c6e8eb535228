-- fill_queued_jobs: $1 queued jobs (ids time-ordered, as the API makes them) of flow $2 version $3, as enqueue_job leaves them, in one statement.
with job as (
    insert into jobs (id, owner, flow_id, flow_version, max_attempts, event_seq)
    select uuidv7(), 'bench', $2, $3, 1, 1 from generate_series(1, $1)
    returning id
),
inputs as (
    insert into job_inputs (job_id, inputs) select id, '{}' from job
)
insert into job_events (job_id, seq, type, data)
select id, 1, 'status', '{"status": "queued"}' from job
