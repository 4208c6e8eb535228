-- read_project: an owner's project; someone else's is not found, like a missing one.
select id, name, description, created_at, updated_at
from projects
where id = $1 and owner = $2
