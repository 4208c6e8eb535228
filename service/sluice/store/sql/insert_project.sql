-- insert_project: a new project of an owner. $1 id, $2 owner, $3 name, $4 description
insert into projects (id, owner, name, description)
values ($1, $2, $3, $4)
returning id, name, description, created_at, updated_at
