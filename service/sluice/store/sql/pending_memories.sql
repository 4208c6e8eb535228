-- pending_memories: up to $4 chat messages of an owner's ($1) flow ($2) stored after message $3, oldest
-- first: what its memory base does not hold yet. Messages name their job, and the job its flow.
select m.id, m.session_id, m.sender, m.sender_name, m.text, m.created_at
from messages m
join jobs j on j.id = m.job_id
where m.owner = $1 and j.flow_id = $2 and m.id > $3 and m.text <> ''
order by m.id
limit $4
