"""What a run is: submitting one, waiting for its result, stopping and retrying it, its response.

The HTTP API, the dashboard and the CLI all go through here. Failures are `RunError`s that say
what went wrong in domain terms; each caller turns them into its own answer (`http/errors.py`
maps them to status codes, the dashboard to a page, the CLI to a message).
"""
