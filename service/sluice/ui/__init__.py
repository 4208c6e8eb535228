"""The operators' dashboard at /ui: server-rendered pages over the same database and streams as the API."""
