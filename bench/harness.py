"""What every benchmark shares: the PostgreSQL server, fresh databases, Sluice's processes, and the
peers' virtualenvs.

All systems use one embedded PostgreSQL server with default durability (fsync and
synchronous_commit on); each measurement gets a database of its own, dropped and made anew.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from bench.procs import REPOSITORY, Child, run_json, start_ready
from sluice import db
from sluice.embedded_db import EmbeddedPostgres
from sluice.store import migrate

BENCH_DIR = REPOSITORY / ".bench"
OWNER = "bench"
# Sluice's worker logs this line once its LISTEN connection is up.
WORKER_READY = "started (concurrency"


def postgres() -> EmbeddedPostgres:
    """The benchmarks' own server (port SLUICE_BENCH_PG_PORT, default 55600), started if needed."""
    server = EmbeddedPostgres(BENCH_DIR / "postgres", int(os.environ.get("SLUICE_BENCH_PG_PORT", "55600")))
    server.start()
    return server


@attrs.define
class Bench:
    server: EmbeddedPostgres
    quick: bool = False

    def size(self, full: Any, quick: Any) -> Any:
        return quick if self.quick else full

    def fresh_database(self, name: str) -> str:
        self.server.psql(f'drop database if exists "{name}" with (force)')
        self.server.psql(f'create database "{name}"')
        return self.server.url(name)

    def drop_database(self, name: str) -> None:
        self.server.psql(f'drop database if exists "{name}" with (force)')

    def peer_python(self, peer: str) -> Path | None:
        python = BENCH_DIR / peer / "bin" / "python"
        return python if (BENCH_DIR / peer / ".installed").exists() and python.exists() else None

    def run_driver(self, system: str, module: str, *args: Any) -> dict[str, Any] | None:
        """Run a driver module (`python -m <module> args...`) with the system's Python: Sluice's own
        for "sluice", else the peer's virtualenv. None when that peer is not installed."""
        python = Path(sys.executable) if system == "sluice" else self.peer_python(system)
        if python is None:
            return None
        print(f"  {system}: {module.rsplit('.', 1)[-1]} {' '.join(map(str, args))}", file=sys.stderr, flush=True)
        return run_json([str(python), "-m", module, *map(str, args)])

    def run_queue(self, system: str, command: str, *options: Any) -> dict[str, Any] | None:
        """bench/queue_driver.py's `command` for one system, in a database of its own."""
        module = "bench.sluice_queue" if system == "sluice" else f"bench.peers.{system}_queue"
        name = f"bench_{system}_{command}"
        url = self.fresh_database(name)
        try:
            return self.run_driver(system, module, command, url, *options)
        finally:
            self.drop_database(name)


# -- Sluice's side ------------------------------------------------------------------------------

def sluice_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sluice", *args]


def start_workers(url: str, count: int, concurrency: int, env: Mapping[str, str] | None = None) -> list[Child]:
    """Real `sluice worker` processes, returned once each listens for work."""
    return start_ready("sluice worker", count, sluice_command("worker", "--concurrency", str(concurrency)),
                       {**(env or {}), "DATABASE_URL": url}, WORKER_READY)


async def prepared_database(bench: Bench, name: str) -> str:
    url = bench.fresh_database(name)
    conn = await db.connect(url)
    try:
        await migrate.migrate(conn)
    finally:
        await conn.close()
    return url
