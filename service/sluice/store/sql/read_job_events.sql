-- read_job_events: one page of a job's durable event log, the events after sequence number $2 in
-- order, at most $3 of them. The primary key (job_id, seq) makes it an index range scan. `data` comes
-- back as JSON text, which the event stream sends as it is; `created_at` is for `sluice jobs show`.
select seq, type, data::text as data, created_at
from job_events
where job_id = $1 and seq > $2
order by seq
limit $3
