-- fill_finished_jobs: $1 completed jobs of flow $2 version $3 with the events a finished run stores
-- (in_progress at seq 2, end at seq 4; queued and completed are implied), standing in for a long history.
with job as (
    insert into jobs (id, owner, flow_id, flow_version, status, attempt, max_attempts, event_seq,
                      worker_id, created_at, started_at, finished_at)
    select uuidv7(- interval '1 day'), 'bench', $2, $3, 'completed', 1, 1, 4, 'history',
           now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
    from generate_series(1, $1)
    returning id
),
inputs as (
    insert into job_inputs (job_id, inputs) select id, '{"ChatInput-a.input_value": "hello"}' from job
)
insert into job_events (job_id, seq, type, data)
select id, seq, type, data::jsonb
from job, (values
    (2, 'status', '{"status": "in_progress", "attempt": 1}'),
    (4, 'end', '{"status": "completed", "outputs": {"ChatOutput-b": {"type": "message", "content": "hello"}}}')
) as event(seq, type, data)
