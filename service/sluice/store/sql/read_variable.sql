-- read_variable: the encrypted value of one of an owner's global variables (a `load_from_db` field).
-- $1 owner, $2 variable name
select value
from variables
where owner = $1 and name = $2
