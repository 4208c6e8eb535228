"""The HTTP API: thin Starlette handlers over the database."""
