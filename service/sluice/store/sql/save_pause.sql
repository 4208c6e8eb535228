-- save_pause: what a run that reached a Human Input node waits with: its request, its checkpoint
-- and the deadline of its answer. Written before the job moves to `suspended` (a write fenced off
-- after it leaves a row no resume can reach: resumes need the job suspended). A later pause of the
-- same job replaces it.
-- $1 job id, $2 request id, $3 request (jsonb), $4 checkpoint (jsonb), $5 deadline or null
insert into job_pauses (job_id, request_id, request, checkpoint, deadline)
values ($1, $2, $3, $4, $5)
on conflict (job_id) do update
    set request_id = excluded.request_id, request = excluded.request, checkpoint = excluded.checkpoint,
        deadline = excluded.deadline, decision = null, created_at = now()
