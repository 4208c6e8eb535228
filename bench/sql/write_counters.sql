-- write_counters: what has been written so far, for deltas around a measurement.
-- next_xid: the transaction id the server will assign next; its growth counts the transactions that
-- wrote something (read-only ones, such as a listener reading its NOTIFY queue, get no id).
-- wal_bytes: WAL the whole server generated (one system runs at a time, so the delta is its own,
-- autovacuum's work included). rows: rows inserted, updated and deleted in this database's tables,
-- and how many of the updates were HOT (no index entries written). Table counters reach these views
-- when a backend flushes its statistics (at the latest when it exits).
select pg_snapshot_xmax(pg_current_snapshot())::text::bigint as next_xid,
       (select wal_bytes from pg_stat_wal)::bigint as wal_bytes,
       coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint as rows,
       coalesce(sum(n_tup_upd), 0)::bigint as updates,
       coalesce(sum(n_tup_hot_upd), 0)::bigint as hot_updates
from pg_stat_user_tables
