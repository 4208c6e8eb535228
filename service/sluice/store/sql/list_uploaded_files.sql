-- list_uploaded_files: the files an owner uploaded (not those flows produced), newest first.
select id, name, mime_type, size, flow_id, created_at
from files
where owner = $1 and job_id is null
order by created_at desc, id
