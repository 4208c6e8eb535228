-- read_job_events: one page of a job's durable event log, the events after sequence number $2 in
-- order, at most $3 of them. The primary key (job_id, seq) makes it an index range scan. `data` comes
-- back as JSON text, which the event stream sends as it is; `created_at` is for `sluice jobs show`.
--
-- Three status events are implied rather than stored, since each would only repeat what is stored,
-- and are read here as if stored:
-- * seq 1, `queued`: a new job's first event, told by its row (at its created_at);
-- * the last claim's `in_progress`: told by the row's claimed_seq, attempt, worker_id and
--   started_at (the view implied_claim_events; claim_jobs.sql stores it once a later write would
--   lose those);
-- * the final status, at the number just before an `end` event: told by the `end` event's status
--   (sluice/store/jobs.py, `numbered`).
-- A log written before they were implied holds them as rows, and those are read as they are.
with stored as (
    select seq, type, data, created_at
    from job_events
    where job_id = $1 and seq > $2
    order by seq
    limit $3
),
implied as (
    select 1 as seq, 'status' as type, '{"status": "queued"}'::jsonb as data, j.created_at
    from jobs j
    where j.id = $1 and $2 < 1
      and not exists (select from job_events e where e.job_id = $1 and e.seq = 1)
    union all
    select c.seq, c.type, c.data, c.created_at
    from implied_claim_events c
    where c.job_id = $1 and c.seq > $2
      and not exists (select from job_events e where e.job_id = $1 and e.seq = c.seq)
    union all
    select s.seq - 1, 'status', jsonb_build_object('status', s.data->'status'), s.created_at
    from stored s
    where s.type = 'end' and s.seq - 1 > $2
      and not exists (select from stored p where p.seq = s.seq - 1)
)
select seq, type, data::text as data, created_at
from (select * from stored union all select * from implied) as events
order by seq
limit $3
