-- 004: file contents are served in slices (GET /api/v2/files/{id} streams large files). Stored
-- uncompressed out of line, a slice reads only the TOAST chunks it covers; compressed, each slice
-- would decompress everything before it.
alter table files alter column content set storage external;
