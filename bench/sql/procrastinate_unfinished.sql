-- procrastinate_unfinished: 1 while any job is waiting or running, else 0; it stops at the first.
select (exists (select from procrastinate_jobs where status in ('todo', 'doing')))::int
