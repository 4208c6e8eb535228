-- pgqueuer_unfinished: 1 while any job is left, else 0 (pgqueuer deletes a job when it finishes, so
-- every row left is unfinished); it stops at the first row, as Sluice's does.
select (exists (select from pgqueuer))::int
