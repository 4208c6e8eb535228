-- insert_knowledge_chunks: chunks of a knowledge base ($1) with their vectors of width $2.
-- $3 ids, $4 contents, $5 metadata (jsonb), $6 embeddings (pgvector's text form). A chunk whose id is
-- stored already is left as it is: an ingestion job run again after a lost worker stores each chunk once.
insert into knowledge_chunks (id, knowledge_base_id, content, metadata, dimensions, embedding)
select c.id, $1, c.content, c.metadata, $2, c.embedding::vector
from unnest($3::uuid[], $4::text[], $5::jsonb[], $6::text[]) as c(id, content, metadata, embedding)
on conflict (id) do nothing
