-- exact_knowledge_search: the ids of the $3 chunks of a knowledge base ($1) nearest to $2 by cosine
-- distance, read without any index (the uncast column matches no HNSW expression): the truth that
-- recall is measured against.
select id
from knowledge_chunks
where knowledge_base_id = $1
order by embedding <=> $2::vector
limit $3
