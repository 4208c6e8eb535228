-- set_variable: store an owner's global variable, or replace its value. The caller encrypts it.
-- $1 owner, $2 variable name, $3 encrypted value
insert into variables (owner, name, value)
values ($1, $2, $3)
on conflict (owner, name) do update
set value = excluded.value,
    updated_at = now()
returning (xmax = 0) as created
