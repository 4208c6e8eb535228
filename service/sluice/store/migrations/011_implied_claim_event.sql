-- 011: a claim's `in_progress` event is told by the job's row instead of a row of its own.
--
-- A claim records the event number it takes (claimed_seq) beside the attempt, worker_id and
-- started_at it already sets. The view below is that event as the row tells it, which
-- sql/read_job_events.sql reads as part of the log. The next write that would lose those values (a
-- new claim, a retry, a release) first stores the event from the view, so the log of an earlier
-- attempt is whole. claimed_seq is null when the last claim is stored (or none was made), which is
-- every job claimed before this migration.
alter table jobs add column claimed_seq int;

create view implied_claim_events as
select id as job_id, claimed_seq as seq, 'status' as type,
       jsonb_build_object('status', 'in_progress', 'attempt', attempt, 'worker', worker_id) as data,
       started_at as created_at
from jobs
where claimed_seq is not null;
