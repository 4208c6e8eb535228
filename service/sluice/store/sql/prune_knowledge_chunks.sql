-- prune_knowledge_chunks: delete up to $1 chunks of deleted knowledge bases, then the knowledge bases
-- left with none; returns how many chunks went.
with doomed as (
    select c.id
    from knowledge_chunks c
    join knowledge_bases k on k.id = c.knowledge_base_id
    where k.deleted_at is not null
    limit $1
),
gone as (
    delete from knowledge_chunks c using doomed d where c.id = d.id returning c.knowledge_base_id
),
emptied as (
    delete from knowledge_bases k
    where k.deleted_at is not null
      and not exists (select from knowledge_chunks c where c.knowledge_base_id = k.id
                      and c.id not in (select id from doomed))
)
select count(*) from gone
