"""The SQL statements of Sluice, one file per operation under the repository's `queue/` folder.

The statements live as plain `.sql` files so they are read and reviewed as SQL. `queue/` holds no
Python (it must never shadow the standard library's `queue` module); this module loads its files
by name and keeps them in memory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
QUEUE_SQL = REPOSITORY / "queue"
MIGRATIONS = REPOSITORY / "migrations"


@cache
def statement(name: str) -> str:
    """The text of `queue/<name>.sql`."""
    path = QUEUE_SQL / f"{name}.sql"
    return path.read_text(encoding="utf-8")
