-- list_knowledge_chunks: a page of a knowledge base's ($1) chunks in the order they were stored, those
-- containing the text $2 (case-insensitive; empty: all), $3 rows from row $4; with the count of all
-- that match.
select id, content, metadata, count(*) over () as total
from knowledge_chunks
where knowledge_base_id = $1 and ($2 = '' or strpos(lower(content), lower($2)) > 0)
order by seq
limit $3 offset $4
