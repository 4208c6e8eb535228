-- 011: a claim's `in_progress` event is told by the job's row instead of a row of its own.
--
-- A claim records the event number it takes (claimed_seq) beside the worker and started_at it
-- already sets; sql/read_job_events.sql reads the event back at that number. The next write that
-- would lose those values (a new claim, a retry, a release) first stores the event as a row, so
-- the log of an earlier attempt is whole. Null when the job's last claim is stored (or none was
-- made), which is every job claimed before this migration.
alter table jobs add column claimed_seq int;
