-- read_file_chunk: $3 bytes of a file's content from byte $2 (1-based), for streaming a large file
-- without holding it in memory. Content is stored uncompressed (migration 004), so each slice
-- reads only its own TOAST chunks.
select substring(content from $2 for $3) from files where id = $1
