-- 001: API keys, flows with immutable versions, and the job queue.
--
-- The queue is split by how often a column is touched. `jobs` holds only the narrow, hot state that
-- every claim scans and every worker write updates; the inputs a caller sent (`job_inputs`) and the
-- durable event log (`job_events`, whose last `end` event carries the execution response) live in
-- their own tables, so claims and status updates never drag large payloads through the heap.

create table api_keys (
    id uuid primary key,
    owner text not null,
    name text not null default '',
    -- sha256 of the key. Keys are 32 random bytes, so a slow password hash would add nothing.
    key_hash bytea not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);
create index api_keys_owner on api_keys (owner);

create table flows (
    id uuid primary key,
    owner text not null,
    name text not null,
    description text not null default '',
    endpoint_name text not null,
    current_version text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (owner, endpoint_name)
);

-- A version is named by the hash of its graph and never changes, so workers may cache it forever.
create table flow_versions (
    flow_id uuid not null references flows (id) on delete cascade,
    version text not null,
    graph jsonb not null,
    created_at timestamptz not null default now(),
    primary key (flow_id, version)
);

-- No foreign key to flows: a job outlives its flow's deletion and then ends in `error`.
create table jobs (
    id uuid primary key,
    owner text not null,
    flow_id uuid not null,
    flow_version text not null,
    status text not null default 'queued'
        check (status in ('queued', 'in_progress', 'completed', 'failed', 'error', 'cancelled', 'timed_out')),
    -- Incremented by each claim. Every write a worker makes is fenced by it.
    attempt int not null default 0,
    max_attempts int not null default 3,
    -- Sequence number of the last event in job_events; writers fence on it too (optimistic lock).
    event_seq int not null default 0,
    worker_id text,
    lease_expires_at timestamptz,
    error_code text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz
)
-- Rows are updated several times in their short life (claim, event flushes, finish). Free space on
-- each page lets those updates stay on the page (HOT updates: no index writes), and aggressive
-- autovacuum keeps the dead versions they leave from piling up between claims.
with (
    fillfactor = 70,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.05
);

-- Only claimable rows are indexed, so the claim's cost does not grow with finished history.
create index jobs_claimable on jobs (created_at, id) where status = 'queued';
-- Only leased rows: the rescuer's scan for expired leases stays as small as the running set.
create index jobs_leased on jobs (lease_expires_at) where status = 'in_progress';
create index jobs_owner_created on jobs (owner, created_at desc);

create table job_inputs (
    job_id uuid primary key references jobs (id) on delete cascade,
    inputs jsonb not null
);

create table job_events (
    job_id uuid not null references jobs (id) on delete cascade,
    seq int not null,
    type text not null,
    data jsonb not null,
    created_at timestamptz not null default now(),
    primary key (job_id, seq)
);
