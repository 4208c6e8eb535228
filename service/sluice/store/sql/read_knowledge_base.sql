-- read_knowledge_base: an owner's ($1) knowledge base by id ($2), for the components of a run.
select id, owner, name, embedding_provider, embedding_model, dimensions, chunk_size, chunk_overlap, separator,
       created_at, updated_at, last_job_id
from knowledge_bases
where owner = $1 and id = $2 and deleted_at is null and flow_id is null
