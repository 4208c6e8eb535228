"""The worker process: claims jobs from PostgreSQL and runs their flows."""
