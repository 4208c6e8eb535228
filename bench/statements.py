"""The benchmarks' own SQL (fixtures, measurements, peers' bookkeeping), one file per statement under
bench/sql/, as Sluice keeps its own under queue/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "sql"


@cache
def statement(name: str) -> str:
    """The text of `bench/sql/<name>.sql`."""
    return (FOLDER / f"{name}.sql").read_text(encoding="utf-8")
