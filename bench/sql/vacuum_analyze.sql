-- vacuum_analyze: settle the tables after a bulk fill, as autovacuum would some time later.
vacuum (analyze) jobs, job_inputs, job_events
