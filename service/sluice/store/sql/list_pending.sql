-- list_pending: the owner's suspended jobs of one flow and the requests they wait on, oldest first.
-- $1 owner, $2 flow id
select j.id, j.flow_id, j.created_at, i.inputs, p.request, p.deadline, p.created_at as paused_at
from jobs j
join job_pauses p on p.job_id = j.id
join job_inputs i on i.job_id = j.id
where j.owner = $1 and j.flow_id = $2 and j.status = 'suspended' and p.decision is null
order by p.created_at, j.id
