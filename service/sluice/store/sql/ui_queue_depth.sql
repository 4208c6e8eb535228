-- ui_queue_depth: how many of an owner's jobs were queued, per bucket of $3 since $2: the most at
-- any moment of the bucket (`peak`) and at its end (`last`, which holds until the next change).
-- A job queued at some moment of the window either finished within it (jobs_finished, a range) or
-- has not finished (jobs_claimable and jobs_leased, the live rows): no scan of older history. Each
-- job adds one when created (or at the window's start) and takes it away when claimed (or when it
-- finished without a claim, as a cancelled queued job); the running sum is the depth.
with candidate as (
    select created_at, coalesce(started_at, finished_at) as left_at
    from jobs
    where finished_at >= $2 and owner = $1
    union all
    select created_at, started_at
    from jobs
    where (status = 'queued' or status = 'in_progress') and owner = $1
),
change as (
    select greatest(created_at, $2) as at, 1 as delta
    from candidate
    where left_at is null or left_at >= $2
    union all
    select left_at, -1
    from candidate
    where left_at >= $2
),
depth as (
    -- At equal times arrivals count first, so a job claimed the moment it came still shows.
    select at, sum(delta) over (order by at, delta desc rows unbounded preceding) as queued
    from change
)
select date_bin($3::interval, at, $2) as bucket, max(queued)::int as peak,
       (array_agg(queued order by at desc, queued))[1]::int as last
from depth
group by 1
order by 1
