"""Sluice's queue core as a `System` for bench/queue_driver.py: real `sluice worker` processes
running jobs whose flow is empty (no components, so the job body does nothing), with Sluice's own
queue SQL for enqueueing, claiming and finishing.

Run it as `python -m bench.sluice_queue drain|steady DSN [options]`, like the peers' drivers.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

import asyncpg

from bench import queue_driver
from bench.harness import OWNER, WORKER_READY
from bench.statements import statement as bench_statement
from sluice import db
from sluice.store import flows, jobs, migrate
from sluice.worker.loop import CLAIM_BATCH

EMPTY_FLOW = {"nodes": [], "edges": []}
# Jobs per statement when filling the queue (all in one transaction, as for the peers).
ENQUEUE_BATCH = 1000


class SluiceQueue:
    name = "sluice"

    def __init__(self) -> None:
        self.flow_id = uuid.uuid4()
        self.version = flows.version_of(EMPTY_FLOW)

    async def install(self, dsn: str) -> None:
        conn = await db.connect(dsn)
        try:
            await migrate.migrate(conn)
            await flows.insert(conn, flow_id=self.flow_id, owner=OWNER, name="noop", description="",
                               endpoint_name="noop", graph=EMPTY_FLOW)
        finally:
            await conn.close()

    def worker(self, dsn: str, batch: int, concurrency: int) -> queue_driver.Command:
        if batch != CLAIM_BATCH:
            raise SystemExit(f"Sluice's worker claims {CLAIM_BATCH} jobs at a time, not {batch}.")
        argv = [sys.executable, "-m", "sluice", "worker", "--concurrency", str(concurrency)]
        return argv, {"DATABASE_URL": dsn}, WORKER_READY

    async def connect(self, dsn: str) -> asyncpg.Connection:
        return await db.connect(dsn)

    async def close(self, conn: asyncpg.Connection) -> None:
        await conn.close()

    async def fetch_row(self, conn: asyncpg.Connection, name: str) -> dict[str, Any]:
        return dict(await conn.fetchrow(bench_statement(name)))

    def _job(self) -> jobs.Submission:
        return jobs.Submission(jobs.new_id(), OWNER, self.flow_id, self.version, max_attempts=1, inputs={})

    async def enqueue_many(self, conn: asyncpg.Connection, count: int) -> None:
        async with conn.transaction():
            for start in range(0, count, ENQUEUE_BATCH):
                await jobs.enqueue(conn, [self._job() for _ in range(min(ENQUEUE_BATCH, count - start))])

    async def enqueue_one(self, conn: asyncpg.Connection) -> None:
        await jobs.enqueue(conn, [self._job()])

    async def unfinished(self, conn: asyncpg.Connection) -> int:
        return int(await conn.fetchval(bench_statement("sluice_unfinished")))

    async def drain_window(self, conn: asyncpg.Connection) -> tuple[int, float]:
        row = await conn.fetchrow(bench_statement("sluice_drain_window"))
        return int(row["jobs"]), float(row["seconds"])

    async def completed_within(self, conn: asyncpg.Connection, seconds: float) -> int:
        return int(await conn.fetchval(bench_statement("sluice_completed_within"), seconds))

    async def start_latencies(self, conn: asyncpg.Connection) -> list[float]:
        return [row["ms"] for row in await conn.fetch(bench_statement("sluice_start_latencies"))]


if __name__ == "__main__":
    queue_driver.main(SluiceQueue())
