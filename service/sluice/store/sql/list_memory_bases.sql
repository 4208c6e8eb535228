-- list_memory_bases: a page of an owner's ($1) memory bases, of one flow when $2 is not null, $3 rows
-- from row $4, with how many chunks each holds and the count of all that match.
select k.id, k.owner, k.name, k.embedding_provider, k.embedding_model, k.dimensions, k.chunk_size,
       k.chunk_overlap, k.separator, k.created_at, k.updated_at, k.last_job_id, k.flow_id, k.memory_cursor,
       (select count(*) from knowledge_chunks c where c.knowledge_base_id = k.id) as chunks,
       count(*) over () as total
from knowledge_bases k
where k.owner = $1 and k.flow_id is not null and k.deleted_at is null and ($2::uuid is null or k.flow_id = $2)
order by k.created_at, k.id
limit $3 offset $4
