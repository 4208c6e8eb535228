"""What every benchmark shares: the PostgreSQL server, fresh databases, Sluice's processes, and the
peers' virtualenvs.

All systems use one embedded PostgreSQL server with default durability (fsync and
synchronous_commit on); each measurement gets a database of its own, dropped and made anew.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import attrs

from bench.procs import REPOSITORY, Child, run_json, stop_all, wait_all_ready
from bench.statements import statement
from sluice import db, migrate
from sluice.embedded_db import EmbeddedPostgres
from sluice.store import flows

BENCH_DIR = REPOSITORY / ".bench"
PEERS = ("pgqueuer", "procrastinate", "lfx")
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

    def run_peer(self, peer: str, module: str, *args: Any) -> dict[str, Any] | None:
        """Run `bench.peers.<module>` in the peer's virtualenv; None when the peer is not installed."""
        python = self.peer_python(peer)
        if python is None:
            return None
        print(f"  {peer}: {module} {' '.join(map(str, args))}", file=sys.stderr, flush=True)
        return run_json([str(python), "-m", f"bench.peers.{module}", *map(str, args)])


# -- Sluice's side ------------------------------------------------------------------------------

def sluice_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sluice", *args]


def sluice_env(url: str, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": url, **extra}


def start_workers(url: str, count: int, concurrency: int, env: Mapping[str, str] | None = None) -> list[Child]:
    """Real `sluice worker` processes, returned once each listens for work."""
    workers = [
        Child(f"sluice worker {n}", sluice_command("worker", "--concurrency", str(concurrency)),
              sluice_env(url, **(env or {})), ready_marker=WORKER_READY)
        for n in range(count)
    ]
    try:
        wait_all_ready(workers)
    except Exception:
        stop_all(workers)
        raise
    return workers


async def prepared_database(bench: Bench, name: str) -> str:
    url = bench.fresh_database(name)
    conn = await db.connect(url)
    try:
        await migrate.migrate(conn)
    finally:
        await conn.close()
    return url


async def store_flow(url: str, name: str, graph: Mapping[str, Any]) -> uuid.UUID:
    conn = await db.connect(url)
    try:
        summary = await flows.insert(conn, flow_id=uuid.uuid4(), owner=OWNER, name=name, description="",
                                     endpoint_name=flows.slug(name), graph=graph)
    finally:
        await conn.close()
    return summary.id


async def commits(url: str) -> int:
    """Transactions committed in this database so far (pg_stat_database.xact_commit).

    Backends report their counts when they exit (and now and then while idle), so read this after
    the measured processes have disconnected, through a connection of its own.
    """
    await asyncio.sleep(0.3)
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(statement("xact_commits")))
    finally:
        await conn.close()


async def wait_until_zero(conn: asyncpg.Connection, query: str, timeout: float, interval: float = 0.1) -> int:
    """Poll a count until it reaches zero; returns how many polls it took (each is a transaction)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    polls = 0
    while True:
        polls += 1
        if await conn.fetchval(query) == 0:
            return polls
        if loop.time() > deadline:
            raise TimeoutError(f"still not done after {timeout:.0f}s: {query.splitlines()[0]}")
        await asyncio.sleep(interval)


def stop(children: Sequence[Child]) -> None:
    stop_all(children)
