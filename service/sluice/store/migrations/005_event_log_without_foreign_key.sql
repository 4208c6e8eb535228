-- 005: the event log drops its foreign key to jobs.
--
-- Every worker write appends events, and the key's check ran a trigger per event that looked up and
-- share-locked the job's row, which the same statement had just updated: about a tenth of the
-- database's work per job. Events are only ever appended by statements that moved their job (see
-- queue/transition_jobs.sql), and retention deletes a job's events with it (queue/prune_jobs.sql),
-- so the key guarded nothing those statements do not.
alter table job_events drop constraint job_events_job_id_fkey;
