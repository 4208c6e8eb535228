-- list_knowledge_bases: an owner's knowledge bases ($1, memory bases aside) with what their chunks
-- hold and their last ingestion's status; with $2 only the one of that name.
select k.id, k.owner, k.name, k.embedding_provider, k.embedding_model, k.dimensions, k.chunk_size,
       k.chunk_overlap, k.separator, k.created_at, k.updated_at, k.last_job_id, j.status as last_job_status,
       coalesce(c.chunks, 0) as chunks, coalesce(c.characters, 0) as characters, coalesce(c.words, 0) as words
from knowledge_bases k
left join jobs j on j.id = k.last_job_id
left join lateral (
    select count(*) as chunks, sum(length(content)) as characters,
           sum(array_length(regexp_split_to_array(trim(content), '\s+'), 1)) as words
    from knowledge_chunks
    where knowledge_base_id = k.id
) c on true
where k.owner = $1 and k.deleted_at is null and k.flow_id is null and ($2::text is null or k.name = $2)
order by k.name
