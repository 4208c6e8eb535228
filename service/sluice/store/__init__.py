"""The database edge: each function runs one statement from `queue/` and converts rows to domain values."""
