-- sluice_unfinished: 1 while any Sluice job is not yet finished, else 0. The drain asks ten times a
-- second, so it stops at the first such job: counting them all cost the server 8 ms a time, a share
-- of the very CPU the drain measures. Each EXISTS reads the partial index of its state.
select (exists (select from jobs where status = 'queued')
        or exists (select from jobs where status = 'in_progress'))::int
