-- 008: projects (Langflow's folders of flows) and uploaded files, owner-scoped like everything else.
-- Deleting a project deletes its flows, as in Langflow; a flow in no project has a null project_id.
create table projects (
    id uuid primary key,
    owner text not null,
    name text not null,
    description text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index projects_owner on projects (owner, created_at);

alter table flows add column project_id uuid references projects (id) on delete cascade;
create index flows_project on flows (project_id) where project_id is not null;

-- Files their owners upload (POST /api/v2/files, POST /api/v1/files/upload/{flow}) live beside the
-- files flows produce: no job (they stay until deleted), and the flow an upload was made for.
alter table files add column flow_id uuid;
create index files_owner_uploads on files (owner, created_at) where job_id is null;
