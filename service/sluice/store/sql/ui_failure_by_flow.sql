-- ui_failure_by_flow: per flow of an owner, the jobs that finished since $2 and how many of them
-- failed, erred or timed out. Same range scan of jobs_finished as ui_finished_by_status.
select j.flow_id, coalesce(f.name, 'deleted flow') as flow_name, count(*) as finished,
       count(*) filter (where j.status in ('failed', 'error', 'timed_out')) as failed
from jobs j
left join flows f on f.id = j.flow_id
where j.finished_at >= $2 and j.owner = $1
group by j.flow_id, f.name
order by failed desc, finished desc, flow_name
