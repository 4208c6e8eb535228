-- 007: jobs that wait for a person (a Human Input node), durably.
--
-- A run that reaches a Human Input node without a decision ends its attempt `suspended`: it holds no
-- worker slot and no lease, and waits in `job_pauses` with the question it asked, the outputs of the
-- nodes it had built (its checkpoint, so a resumed run does not build them again) and the deadline
-- after which it takes its fallback branch (or ends `timed_out`). A resume stores the decision and
-- queues the job again; any worker then continues it from the checkpoint.
alter table jobs drop constraint jobs_status_check;
alter table jobs add constraint jobs_status_check
    check (status in ('queued', 'in_progress', 'completed', 'failed', 'error', 'cancelled', 'timed_out',
                      'suspended'));

create table job_pauses (
    job_id uuid primary key references jobs (id) on delete cascade,
    -- `<node id>:<job id>`: a resume naming another request (an older pause) is stale.
    request_id text not null,
    -- The `human_input_required` event's data: prompt, options, allowed decisions, timeout.
    request jsonb not null,
    -- Node id to its produced outputs, for the nodes built before the pause.
    checkpoint jsonb not null,
    deadline timestamptz,
    -- Set by a resume (or by the deadline: the fallback); the next attempt reads it.
    decision jsonb,
    created_at timestamptz not null default now()
);
-- The pauses still waiting, by deadline: what the expiry duty scans.
create index job_pauses_waiting on job_pauses (deadline) where decision is null and deadline is not null;
