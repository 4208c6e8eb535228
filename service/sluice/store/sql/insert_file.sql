-- insert_file: store a file, owned by $2: one a flow produced (SaveToFile; $3 its job), or one its
-- owner uploaded ($3 null; $8 the flow it was uploaded for, or null).
-- $1 file id, $2 owner, $3 job id, $4 name, $5 mime type, $6 size in bytes, $7 content, $8 flow id
insert into files (id, owner, job_id, name, mime_type, size, content, flow_id)
values ($1, $2, $3, $4, $5, $6, $7, $8)
returning created_at
