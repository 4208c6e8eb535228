-- read_flow_version: one stored version's graph. Versions never change, so callers cache the result.
select v.graph
from flow_versions v
join flows f on f.id = v.flow_id
where v.flow_id = $1 and v.version = $2 and f.owner = $3
