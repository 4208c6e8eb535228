-- find_knowledge_base: an owner's ($1) knowledge base by name ($2), as flows name it.
select id, owner, name, embedding_provider, embedding_model, dimensions, chunk_size, chunk_overlap, separator,
       created_at, updated_at, last_job_id
from knowledge_bases
where owner = $1 and name = $2 and deleted_at is null and flow_id is null
