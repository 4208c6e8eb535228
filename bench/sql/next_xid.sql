-- next_xid: the transaction id the server will assign next. Its growth counts the transactions that
-- wrote something (read-only ones, such as a listener reading its NOTIFY queue, get no id), which
-- is what a commit costs the disk: the number to set beside the raw single-row commit rate.
select pg_snapshot_xmax(pg_current_snapshot())::text::bigint
