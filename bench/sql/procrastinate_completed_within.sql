-- procrastinate_completed_within: jobs finished within %(seconds)s seconds of the first enqueue.
select count(*) from procrastinate_events
where type = 'succeeded'
  and at < (select min(at) from procrastinate_events where type = 'deferred')
           + make_interval(secs => %(seconds)s)
