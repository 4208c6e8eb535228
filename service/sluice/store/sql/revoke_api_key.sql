-- revoke_api_key: stop a key at once; API processes drop it from their caches on this NOTIFY.
with revoked as (
    update api_keys set revoked_at = now()
    where id = $1 and revoked_at is null
    returning key_hash
)
select encode(key_hash, 'hex') as key_hash, pg_notify('sluice_keys', encode(key_hash, 'hex'))
from revoked
