-- list_projects: an owner's projects, oldest first.
select id, name, description, created_at, updated_at
from projects
where owner = $1
order by created_at, id
