-- fill_queued_jobs: $1 queued jobs of flow $2 version $3 as enqueue_jobs leaves them (ids
-- time-ordered, as the API makes them; the first event implied by the row), in one statement.
with job as (
    insert into jobs (id, owner, flow_id, flow_version, max_attempts, event_seq)
    select uuidv7(), 'bench', $2, $3, 1, 1 from generate_series(1, $1)
    returning id
)
insert into job_inputs (job_id, inputs) select id, '{}' from job
