"""The database edge: each function runs one statement from `sql/` and converts rows to domain values."""
