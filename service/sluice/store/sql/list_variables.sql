-- list_variables: names of stored global variables (never their values), of one owner or all.
-- $1 owner, or null for every owner
select owner, name, created_at, updated_at
from variables
where $1::text is null or owner = $1
order by owner, name
