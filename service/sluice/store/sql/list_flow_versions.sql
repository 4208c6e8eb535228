-- list_flow_versions: every stored version of an owner's flow, newest first.
select v.version, v.created_at, v.version = f.current_version as current
from flow_versions v
join flows f on f.id = v.flow_id
where f.id = $1 and f.owner = $2
order by v.created_at desc, v.version
