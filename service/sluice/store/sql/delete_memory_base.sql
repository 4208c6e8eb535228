-- delete_memory_base: mark an owner's ($1) memory base ($2) deleted; retention removes its chunks in
-- batches. Returns its id, none when the owner has none of that id.
update knowledge_bases set deleted_at = now()
where owner = $1 and id = $2 and flow_id is not null and deleted_at is null
returning id
