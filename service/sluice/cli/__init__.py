"""The `sluice` command: serve the API, run workers, migrate, and manage keys, flows and jobs.

parser.py assembles the commands of admin.py (schema, keys, variables, flows), operations.py
(jobs, workers, prune, status) and processes.py (serve, worker, up); each runs against the
database through database.py, the one way a command gets its connection.
"""

from sluice.cli.parser import main

__all__ = ["main"]
