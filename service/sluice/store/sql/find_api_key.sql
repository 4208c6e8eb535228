-- find_api_key: the owner of a live key, found by its hash (a unique index lookup).
select owner from api_keys where key_hash = $1 and revoked_at is null
