-- read_file: an owner's file with the first $3 bytes of its content (all of a small file, in one
-- round trip). Someone else's file is not found, exactly like a missing one.
select name, mime_type, size, substring(content from 1 for $3) as head
from files
where id = $1 and owner = $2
