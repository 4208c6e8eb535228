-- delete_worker: a worker that stops cleanly leaves the workers table.
delete from workers where id = $1
