-- fill_dashboard_history: $1 finished jobs of owner 'bench', finishing evenly over a span of $2
-- that ends $5 before now, shared among flows $3 (uuid[]) at version $4: 90 % completed, 6 % failed, 2 % error, 1 %
-- timed out, 1 % cancelled; each waited up to 2 s and ran up to 5 s. Only the jobs table: the
-- dashboard's charts read nothing else.
insert into jobs (id, owner, flow_id, flow_version, status, attempt, max_attempts, event_seq, worker_id,
                  created_at, started_at, finished_at)
select uuidv7(x.finished - x.run - x.wait - now()), 'bench', ($3::uuid[])[1 + i % cardinality($3::uuid[])], $4,
       case when x.r < 0.90 then 'completed' when x.r < 0.96 then 'failed' when x.r < 0.98 then 'error'
            when x.r < 0.99 then 'timed_out' else 'cancelled' end,
       1, 3, 4, 'history-' || (i % 8), x.finished - x.run - x.wait, x.finished - x.run, x.finished
from generate_series(1, $1) as i,
     lateral (select random() as r, now() - $5::interval - $2::interval * (i::float8 / $1) as finished,
                     make_interval(secs => random() * 2) as wait, make_interval(secs => random() * 5) as run) as x
