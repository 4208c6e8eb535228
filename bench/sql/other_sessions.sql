-- other_sessions: connections to this database opened well before this one: the workers' and the
-- driver's, until they have exited (and so flushed their statistics). A client's pool may open its
-- connections side by side, so those opened within half a second of this one are its own.
select count(*)
from pg_stat_activity
where datname = current_database()
  and backend_start < (select backend_start from pg_stat_activity where pid = pg_backend_pid())
                      - interval '0.5 seconds'
