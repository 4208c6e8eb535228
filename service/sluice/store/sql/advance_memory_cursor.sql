-- advance_memory_cursor: lock a memory base ($1) while its new messages are stored, and move its cursor
-- to $2. Returns the cursor it had: a concurrent run that stored them first has moved it already.
with before as (
    select memory_cursor from knowledge_bases where id = $1 for update
)
update knowledge_bases k set memory_cursor = greatest(k.memory_cursor, $2)
from before
where k.id = $1
returning before.memory_cursor
