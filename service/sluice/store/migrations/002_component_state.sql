-- 002: what components keep between runs: message history, owners' variables, and files.

-- Chat history, read by the Memory component and written by Chat Input / Chat Output.
create table messages (
    id bigint generated always as identity primary key,
    owner text not null,
    session_id text not null,
    sender text not null,
    sender_name text not null,
    text text not null,
    job_id uuid,
    created_at timestamptz not null default now()
);
create index messages_session on messages (owner, session_id, id);

-- Global variables (`load_from_db` fields), encrypted with SLUICE_SECRET_KEY.
create table variables (
    owner text not null,
    name text not null,
    value bytea not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (owner, name)
);

-- Files a flow produced (SaveToFile), served by GET /api/v2/files/{id} to their owner only.
create table files (
    id uuid primary key,
    owner text not null,
    job_id uuid references jobs (id) on delete cascade,
    name text not null,
    mime_type text not null,
    size bigint not null,
    content bytea not null,
    created_at timestamptz not null default now()
);
create index files_job on files (job_id);

-- Per-run global variables sent as X-LANGFLOW-GLOBAL-VAR-* headers, encrypted, kept only while
-- the job needs them.
alter table job_inputs add column secrets bytea;
