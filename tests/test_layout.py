"""The SQL ships inside the package, and nothing in the repository hides Python's own `queue` module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sluice.store.statements import MIGRATIONS, SQL, sql_files, statement

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.mark.integration  # a child Python process
def test_stdlib_queue_imports_from_the_repository_root():
    result = subprocess.run(
        [sys.executable, "-c", "import queue, sys; queue.SimpleQueue(); print(queue.__file__)"],
        cwd=REPOSITORY, capture_output=True, text=True, check=True,
    )
    assert not result.stdout.strip().startswith(str(REPOSITORY))


def test_sql_folders_hold_only_sql_and_every_statement_loads():
    for folder in (SQL, MIGRATIONS):
        entries = [entry for entry in folder.iterdir() if entry.name != "__pycache__"]
        assert entries and all(entry.name.endswith(".sql") for entry in entries)
    for entry in sql_files(SQL):
        assert statement(entry.name.removesuffix(".sql")).strip()
