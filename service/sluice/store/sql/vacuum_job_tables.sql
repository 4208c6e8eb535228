-- vacuum_job_tables: after retention deleted jobs, make the space of their rows (and of their
-- inputs, events and files) reusable. SKIP_LOCKED passes over a table someone holds a conflicting
-- lock on (a long-running maintenance command) rather than waiting for it.
vacuum (skip_locked) jobs, job_inputs, job_events, files
