-- memory_base: the memory base $3 of an owner's ($1) flow ($2), made with the embedding model $5 (its
-- provider $4) when the flow has none of that name yet. $6 a new id.
with made as (
    insert into knowledge_bases (id, owner, name, embedding_provider, embedding_model, flow_id)
    values ($6, $1, $3, $4, $5, $2)
    on conflict (owner, flow_id, name) where deleted_at is null and flow_id is not null do nothing
    returning id, owner, name, embedding_provider, embedding_model, dimensions, chunk_size, chunk_overlap,
              separator, created_at, updated_at, last_job_id, flow_id, memory_cursor
)
select * from made
union all
select id, owner, name, embedding_provider, embedding_model, dimensions, chunk_size, chunk_overlap, separator,
       created_at, updated_at, last_job_id, flow_id, memory_cursor
from knowledge_bases
where owner = $1 and flow_id = $2 and name = $3 and deleted_at is null
limit 1
