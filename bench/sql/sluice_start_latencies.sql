-- sluice_start_latencies: milliseconds from each job's insert to its claim, by the database's clock.
select extract(epoch from started_at - created_at)::float8 * 1000 as ms from jobs
