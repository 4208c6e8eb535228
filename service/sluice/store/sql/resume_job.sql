-- resume_job: answer a suspended job's pause and queue the job again, in one statement. Nothing
-- happens unless the job is the owner's, still `suspended`, and waits on this very request (a stale
-- or repeated resume changes nothing). A stop racing it is fenced the other way: whichever moves the
-- job first wins, and the other finds it no longer suspended.
-- $1 job id, $2 owner (null: the expiry duty, any owner), $3 request id, $4 decision (jsonb),
-- $5 the status event's data (jsonb)
with waiting as (
    select j.id
    from jobs j
    join job_pauses p on p.job_id = j.id
    where j.id = $1 and ($2::text is null or j.owner = $2) and j.status = 'suspended'
      and p.request_id = $3 and p.decision is null
    for update of j
),
resumed as (
    update jobs j
    set status = 'queued', event_seq = j.event_seq + 1
    from waiting
    where j.id = waiting.id
    returning j.id, j.event_seq
),
answered as (
    update job_pauses p set decision = $4 from resumed where p.job_id = resumed.id
),
logged as (
    insert into job_events (job_id, seq, type, data)
    select id, event_seq, 'status', $5 from resumed
)
select id, pg_notify('sluice_queued', ''), pg_notify('sluice_job', id::text || ':queued')
from resumed
