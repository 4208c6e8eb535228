-- insert_api_key: store the hash of a new key; the key itself is shown once and never stored.
insert into api_keys (id, owner, name, key_hash) values ($1, $2, $3, $4)
