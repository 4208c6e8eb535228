-- expired_pauses: suspended jobs whose answer's deadline passed, for the expiry duty; $1 at most.
select p.job_id, j.owner, p.request_id, p.request
from job_pauses p
join jobs j on j.id = p.job_id
where p.decision is null and p.deadline < now() and j.status = 'suspended'
order by p.deadline
limit $1
