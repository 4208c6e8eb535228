-- existing_knowledge_identifiers: which of the row identifiers $2 (metadata `_id`, a hash of a row's
-- identifier columns) the knowledge base $1 holds already, so Ingest skips duplicates.
select distinct metadata ->> '_id' as identifier
from knowledge_chunks
where knowledge_base_id = $1 and metadata ->> '_id' = any($2::text[])
