-- delete_file: remove an owner's file; returns its name, or nothing when the owner has no such file.
delete from files where id = $1 and owner = $2 returning name
