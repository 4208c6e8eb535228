-- prune_workers: forget workers not heard from for a day (they died without unregistering).
delete from workers where heartbeat_at < now() - interval '1 day'
