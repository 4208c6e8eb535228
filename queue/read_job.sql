-- read_job: a job as its owner sees it, with its inputs and, once finished, its execution response
-- (the data of its last event, `end`).
select j.id, j.owner, j.flow_id, j.flow_version, j.status, j.attempt, j.max_attempts, j.event_seq,
       j.error_code, j.created_at, j.started_at, j.finished_at, i.inputs,
       (select e.data from job_events e
         where e.job_id = j.id and e.seq = j.event_seq and e.type = 'end') as response
from jobs j
join job_inputs i on i.job_id = j.id
where j.id = $1 and j.owner = $2
