-- update_project: rename an owner's project or change its description. $3, $4 null keep them.
update projects
set name = coalesce($3, name), description = coalesce($4, description), updated_at = now()
where id = $1 and owner = $2
returning id, name, description, created_at, updated_at
