-- insert_memory_base: a new memory base $3 of an owner's ($1) flow ($2) with the embedding model $5 (its
-- provider $4); nothing when the flow has one of that name. $6 its id.
insert into knowledge_bases (id, owner, name, embedding_provider, embedding_model, flow_id)
values ($6, $1, $3, $4, $5, $2)
on conflict (owner, flow_id, name) where deleted_at is null and flow_id is not null do nothing
returning id
