-- read_jobs: jobs as their owners see them, with their inputs (and the options of a Langflow 1.13
-- body) and, once finished, their execution response (the data of the last event, `end`). A job is returned only with its own owner: one row
-- per (id, owner) pair that names an existing job of that owner.
-- $1 job ids, $2 their owners (one element per job asked for)
select j.id, j.owner, j.flow_id, j.flow_version, j.status, j.attempt, j.max_attempts, j.event_seq,
       j.error_code, j.created_at, j.started_at, j.finished_at, i.inputs, i.request,
       (select e.data from job_events e
         where e.job_id = j.id and e.seq = j.event_seq and e.type = 'end') as response
from unnest($1::uuid[], $2::text[]) as wanted(id, owner)
join jobs j on j.id = wanted.id and j.owner = wanted.owner
join job_inputs i on i.job_id = j.id
