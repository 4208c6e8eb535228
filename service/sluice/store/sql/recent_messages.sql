-- recent_messages: the latest $3 messages of a session, newest first, optionally only those of one
-- sender and/or sender name. The index messages_session (owner, session_id, id) serves it backwards.
-- $1 owner, $2 session id, $3 limit, $4 sender or null, $5 sender name or null
select id, session_id, sender, sender_name, text, created_at
from messages
where owner = $1
  and session_id = $2
  and ($4::text is null or sender = $4)
  and ($5::text is null or sender_name = $5)
order by id desc
limit $3
