-- insert_message: append one message to an owner's chat session (Chat Input, Chat Output, Memory
-- in Store mode). One statement, one round trip: it sits on the hot path of every chat flow.
-- $1 owner, $2 session id, $3 sender, $4 sender name, $5 text, $6 job id
insert into messages (owner, session_id, sender, sender_name, text, job_id)
values ($1, $2, $3, $4, $5, $6)
returning id, created_at
