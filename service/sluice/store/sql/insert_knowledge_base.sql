-- insert_knowledge_base: a new knowledge base of an owner; nothing when the owner has one of that name.
-- $1 id, $2 owner, $3 name, $4 embedding provider, $5 embedding model, $6 column config (jsonb) or null
insert into knowledge_bases (id, owner, name, embedding_provider, embedding_model, column_config)
values ($1, $2, $3, $4, $5, $6)
on conflict (owner, name) where deleted_at is null and flow_id is null do nothing
returning id
