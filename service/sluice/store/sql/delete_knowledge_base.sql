-- delete_knowledge_base: mark an owner's knowledge base deleted; retention removes its chunks in
-- batches (prune_knowledge_chunks). Returns its id, none when the owner has none of that name.
update knowledge_bases set deleted_at = now()
where owner = $1 and name = $2 and deleted_at is null and flow_id is null
returning id
