"""The repository's `queue/` folder holds SQL and must never hide Python's own `queue` module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sluice.sql import QUEUE_SQL, statement

REPOSITORY = Path(__file__).resolve().parents[1]


def test_stdlib_queue_imports_from_the_repository_root():
    result = subprocess.run(
        [sys.executable, "-c", "import queue, sys; queue.SimpleQueue(); print(queue.__file__)"],
        cwd=REPOSITORY, capture_output=True, text=True, check=True,
    )
    assert not result.stdout.strip().startswith(str(REPOSITORY))


def test_queue_folder_holds_only_sql_and_every_statement_loads():
    files = list(QUEUE_SQL.iterdir())
    assert files and all(path.suffix == ".sql" for path in files)
    for path in files:
        assert statement(path.stem).strip()
