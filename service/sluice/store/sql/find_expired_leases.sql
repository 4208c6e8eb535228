-- find_expired_leases: running jobs whose worker stopped renewing its lease (it died or lost the
-- database). The rescuer moves each back to the queue, or to error once its attempts are used up.
select j.id, j.owner, j.flow_id, j.flow_version, j.attempt, j.max_attempts, j.event_seq, j.created_at,
       i.inputs
from jobs j
join job_inputs i on i.job_id = j.id
where j.status = 'in_progress' and j.lease_expires_at < now()
order by j.lease_expires_at
limit $1
