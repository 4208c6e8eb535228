-- transition_jobs: set jobs' status and append their events, for a batch of jobs in one statement.
-- Each row is fenced by the (attempt, status, event_seq) its writer last saw: a worker that lost its
-- lease, or a stop racing a finish, changes nothing and learns it from its job missing in the result.
-- Events of a job are written only if its row moved, so the log never has gaps or duplicates.
-- $1..$7 one element per job: id, attempt, from status, from seq, to status, to seq, error code
-- $8..$11 one element per event: job id, seq, type, data;  $12 lease seconds for in_progress jobs
-- $13..$19 one element per chat message a finishing run stored: job id, owner, session id, sender,
-- sender name, text, time sent
with change as (
    select *
    from unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[])
        as c(job_id, attempt, from_status, from_seq, to_status, to_seq, error_code)
),
moved as (
    update jobs j
    set status = c.to_status,
        event_seq = c.to_seq,
        error_code = c.error_code,
        lease_expires_at = case when c.to_status = 'in_progress'
                                then now() + make_interval(secs => $12) end,
        finished_at = case when c.to_status not in ('queued', 'in_progress', 'suspended') then now() end
    from change c
    where j.id = c.job_id
      and j.attempt = c.attempt
      and j.status = c.from_status
      and j.event_seq = c.from_seq
    returning j.id, j.status
),
appended as (
    insert into job_events (job_id, seq, type, data)
    select e.job_id, e.seq, e.type, e.data
    from unnest($8::uuid[], $9::int[], $10::text[], $11::jsonb[]) as e(job_id, seq, type, data)
    join moved on moved.id = e.job_id
),
-- A run's chat messages are kept only if its job moved, so a job stopped or taken over meanwhile
-- leaves no history behind; inserted in the order sent, which is the order history reads them in.
remembered as (
    insert into messages (owner, session_id, sender, sender_name, text, job_id, created_at)
    select m.owner, m.session_id, m.sender, m.sender_name, m.text, m.job_id, m.sent_at
    from unnest($13::uuid[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::timestamptz[])
        with ordinality as m(job_id, owner, session_id, sender, sender_name, text, sent_at, position)
    where m.job_id in (select id from moved)
    order by m.position
),
-- A finished job needs its per-run global variables no more: they are erased with its last write
-- (a suspended one keeps them for the rest of its run).
forgotten as (
    update job_inputs i
    set secrets = null
    from moved
    where i.job_id = moved.id
      and moved.status not in ('queued', 'in_progress', 'suspended')
      and i.secrets is not null
)
-- One NOTIFY for the whole batch, naming each job and its status, for sync waiters and stream
-- followers; and one on sluice_cancel for stopped jobs, so their workers interrupt them at once.
select array_agg(id) as moved_ids,
       pg_notify('sluice_job', string_agg(id::text || ':' || status, ',')),
       (select pg_notify('sluice_cancel', string_agg(id::text, ','))
          from moved where status = 'cancelled' having count(*) > 0)
from moved
having count(*) > 0
