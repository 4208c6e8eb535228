-- table_sizes: bytes of each queue table (with its TOAST) and of its indexes.
select relname as name, pg_table_size(oid) as table_bytes, pg_indexes_size(oid) as index_bytes
from pg_class
where relname in ('jobs', 'job_inputs', 'job_events') and relkind = 'r'
order by relname
