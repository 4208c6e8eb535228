-- create_knowledge_index: the HNSW index (cosine distance) of the chunks whose vectors have
-- {dimensions} numbers. The width is part of the indexed expression, so it is written into the
-- statement (a validated integer), not passed as a parameter.
create index if not exists knowledge_chunks_hnsw_{dimensions} on knowledge_chunks
using hnsw ((embedding::vector({dimensions})) vector_cosine_ops)
where dimensions = {dimensions}
