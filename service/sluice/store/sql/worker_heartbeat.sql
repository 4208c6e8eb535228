-- worker_heartbeat: a worker registers, and then says it is alive every few seconds. An upsert,
-- so a worker whose row was pruned while it could not reach the database comes back.
-- $1 worker id, $2 hostname, $3 pid, $4 concurrency, $5 stopping (SIGTERM received)
insert into workers (id, hostname, pid, concurrency, stopping_since)
values ($1, $2, $3, $4, case when $5 then now() end)
on conflict (id) do update
set heartbeat_at = now(),
    stopping_since = case when $5 then coalesce(workers.stopping_since, now()) end
