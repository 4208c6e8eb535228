-- sluice_unfinished: Sluice jobs not yet finished (both states have partial indexes, so this is cheap).
select count(*) from jobs where status in ('queued', 'in_progress')
