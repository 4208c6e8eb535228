-- sluice_unfinished: Sluice jobs not yet finished. Two equalities joined by OR, which the planner
-- matches to the partial indexes of the two states (IN would scan the whole table).
select count(*) from jobs where status = 'queued' or status = 'in_progress'
