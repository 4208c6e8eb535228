-- other_sessions: connections to this database besides this one (the workers' ones, until they have
-- exited and so flushed their statistics).
select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
