"""The SQL statements of Sluice, one file per operation in `sluice/store/sql/`.

The statements live as plain `.sql` files so they are read and reviewed as SQL. They ship inside
the package and are read through `importlib.resources`, so an installed wheel finds them as a
checkout does; each is read once and kept in memory.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

SQL = files("sluice.store") / "sql"
MIGRATIONS = files("sluice.store") / "migrations"


@cache
def statement(name: str) -> str:
    """The text of `sluice/store/sql/<name>.sql`."""
    return (SQL / f"{name}.sql").read_text(encoding="utf-8")


def sql_files(folder: Traversable = SQL) -> list[Traversable]:
    """Every `.sql` file of a folder of the package, by name."""
    return sorted((entry for entry in folder.iterdir() if entry.name.endswith(".sql")), key=lambda e: e.name)
