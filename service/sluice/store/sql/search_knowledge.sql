-- search_knowledge: the $3 chunks of a knowledge base ($1) nearest to a vector ($2, pgvector's text
-- form) by cosine distance, those whose metadata contains $4 (jsonb) only. Ordered by the HNSW index
-- of width {dimensions} (an integer written in, as the index's expression has it); iterative scans
-- (pgvector 0.8) keep reading the index until enough rows of this knowledge base have been found.
select id, content, metadata, 1 - distance as score
from (
    select id, content, metadata, embedding::vector({dimensions}) <=> $2::vector({dimensions}) as distance
    from knowledge_chunks
    where dimensions = {dimensions} and knowledge_base_id = $1 and metadata @> $4::jsonb
    order by embedding::vector({dimensions}) <=> $2::vector({dimensions})
    limit $3
) nearest
order by distance, id
