-- search_knowledge: the $3 chunks of a knowledge base ($1) nearest to a vector ($2, pgvector's text
-- form) by cosine distance. $4 (jsonb) filters on the chunks' user metadata (`source_metadata`) as
-- Langflow does: {key: [values]}, every key present with one of its values (a stored array matches
-- when it shares one). Ordered by the HNSW index of width {dimensions} (an integer written in, as the
-- index's expression has it); iterative scans (pgvector 0.8) keep reading the index until enough rows
-- of this knowledge base pass.
select id, content, metadata, distance
from (
    select id, content, metadata, embedding::vector({dimensions}) <=> $2::vector({dimensions}) as distance
    from knowledge_chunks c
    where dimensions = {dimensions} and knowledge_base_id = $1
      and not exists (
          select from jsonb_each($4::jsonb) as wanted(key, accepted)
          where not exists (
              select from jsonb_array_elements_text(accepted) as one(value)
              where one.value in (
                  select jsonb_array_elements_text(case jsonb_typeof(c.metadata -> 'source_metadata' -> wanted.key)
                      when 'array' then c.metadata -> 'source_metadata' -> wanted.key
                      else jsonb_build_array(c.metadata -> 'source_metadata' -> wanted.key) end))))
    order by embedding::vector({dimensions}) <=> $2::vector({dimensions})
    limit $3
) nearest
order by distance, id
