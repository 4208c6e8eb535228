-- pgqueuer_completed_within: jobs finished within $1 seconds of the first enqueue.
select count(*) from pgqueuer_log
where status = 'successful'
  and created < (select min(created) from pgqueuer_log where status = 'queued') + make_interval(secs => $1)
