-- now: the database's clock, to mark where a phase of a benchmark starts.
select now()
