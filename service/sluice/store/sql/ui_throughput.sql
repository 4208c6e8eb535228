-- ui_throughput: an owner's jobs finished per minute over the last $2 minutes.
select date_trunc('minute', finished_at) as minute, count(*) as finished
from jobs
where owner = $1 and finished_at > now() - make_interval(mins => $2)
group by 1
order by 1
