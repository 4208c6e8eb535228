-- read_memory_base: an owner's ($1) memory base by id ($2), with how many chunks it holds.
select k.id, k.owner, k.name, k.embedding_provider, k.embedding_model, k.dimensions, k.chunk_size,
       k.chunk_overlap, k.separator, k.created_at, k.updated_at, k.last_job_id, k.flow_id, k.memory_cursor,
       (select count(*) from knowledge_chunks c where c.knowledge_base_id = k.id) as chunks
from knowledge_bases k
where k.owner = $1 and k.id = $2 and k.flow_id is not null and k.deleted_at is null
