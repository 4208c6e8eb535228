-- insert_file: store a file a flow produced (SaveToFile), owned by the job's owner.
-- $1 file id, $2 owner, $3 job id, $4 name, $5 mime type, $6 size in bytes, $7 content
insert into files (id, owner, job_id, name, mime_type, size, content)
values ($1, $2, $3, $4, $5, $6, $7)
