-- 010: knowledge bases, their chunks and embeddings (pgvector), and which optional database features
-- this server has.
--
-- `create extension vector` needs a superuser (the embedded PostgreSQL's `postgres` is one) and a
-- server that ships pgvector. On a server without either the chunks table is not made: the rest of
-- Sluice works, and `database_features` records why, which the knowledge-base API and flow uploads
-- read to refuse what needs it.
create table database_features (
    name text primary key,
    available boolean not null,
    detail text not null default '',
    checked_at timestamptz not null default now()
);

-- One row per owner's knowledge base, named as Langflow names them (spaces become underscores).
-- A deleted one keeps its row (deleted_at) until retention has removed its chunks in batches.
-- A memory base (MemoryBase node) is a knowledge base of one flow (flow_id) whose chunks are the
-- chat messages of that flow's runs; memory_cursor is the id of the last message it holds.
create table knowledge_bases (
    id uuid primary key,
    owner text not null,
    name text not null,
    embedding_provider text not null,
    embedding_model text not null,
    -- Set by the first ingestion: the width of the model's vectors.
    dimensions int,
    chunk_size int,
    chunk_overlap int,
    separator text,
    column_config jsonb,
    last_job_id uuid,
    flow_id uuid,
    memory_cursor bigint not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz
);
create unique index knowledge_bases_owner_name on knowledge_bases (owner, name)
    where deleted_at is null and flow_id is null;
create unique index memory_bases_flow_name on knowledge_bases (owner, flow_id, name)
    where deleted_at is null and flow_id is not null;
create index knowledge_bases_deleted on knowledge_bases (deleted_at) where deleted_at is not null;

do $migration$
begin
    begin
        create extension if not exists vector;
    exception when others then
        insert into database_features (name, available, detail) values ('vector', false, sqlerrm);
        return;
    end;
    insert into database_features (name, available) values ('vector', true);
    -- One table for every knowledge base, its rows keyed by knowledge base. The column has no fixed
    -- width, so knowledge bases of different embedding models live side by side; each width in use
    -- gets its own HNSW index over `embedding::vector(N)` (sql/create_knowledge_index.sql).
    create table knowledge_chunks (
        id uuid primary key,
        -- The order chunks were stored in (a batch shares its created_at).
        seq bigint generated always as identity,
        knowledge_base_id uuid not null references knowledge_bases (id),
        content text not null,
        metadata jsonb not null default '{}',
        dimensions int not null,
        embedding vector not null,
        created_at timestamptz not null default now()
    );
    create index knowledge_chunks_base on knowledge_chunks (knowledge_base_id, seq);
end
$migration$;
