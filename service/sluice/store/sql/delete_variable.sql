-- delete_variable: forget one of an owner's global variables.
-- $1 owner, $2 variable name
delete from variables
where owner = $1 and name = $2
returning name
