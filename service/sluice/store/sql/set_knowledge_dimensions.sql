-- set_knowledge_dimensions: the width of a knowledge base's vectors, fixed by its first ingestion.
-- Returns the width it has now (the one already set, when it was).
update knowledge_bases set dimensions = coalesce(dimensions, $2)
where id = $1
returning dimensions
