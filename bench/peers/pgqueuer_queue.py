"""pgqueuer as a `System` for bench/queue_driver.py, run in its own virtualenv (.bench/pgqueuer).

Workers are pgqueuer QueueManagers on one asyncpg connection each, as pgqueuer's documentation sets
them up, with a no-op entrypoint; jobs have no payload. pgqueuer deletes a finished job and logs
each status change in `pgqueuer_log`, whose timestamps give the windows and latencies.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import asyncpg
from pgqueuer import AsyncpgDriver, Queries, QueueManager
from pgqueuer.models import Job

from bench import queue_driver
from bench.statements import statement

MODULE = "bench.peers.pgqueuer_queue"


class PgqueuerQueue:
    name = "pgqueuer"

    async def install(self, dsn: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await Queries(AsyncpgDriver(conn)).install()
        finally:
            await conn.close()

    def worker(self, dsn: str, batch: int, concurrency: int) -> queue_driver.Command:
        return queue_driver.consume_command(MODULE, dsn, batch, concurrency)

    async def connect(self, dsn: str) -> asyncpg.Connection:
        return await asyncpg.connect(dsn)

    async def close(self, conn: asyncpg.Connection) -> None:
        await conn.close()

    async def fetch_row(self, conn: asyncpg.Connection, name: str) -> dict[str, Any]:
        return dict(await conn.fetchrow(statement(name)))

    async def enqueue_many(self, conn: asyncpg.Connection, count: int) -> None:
        await Queries(AsyncpgDriver(conn)).enqueue(["noop"] * count, [None] * count, [0] * count)

    async def enqueue_one(self, conn: asyncpg.Connection) -> None:
        # Queries is a thin wrapper; made per call it costs what keeping one would.
        await Queries(AsyncpgDriver(conn)).enqueue("noop", None)

    async def unfinished(self, conn: asyncpg.Connection) -> int:
        return int(await conn.fetchval(statement("pgqueuer_unfinished")))

    async def drain_window(self, conn: asyncpg.Connection) -> tuple[int, float]:
        row = await conn.fetchrow(statement("pgqueuer_drain_window"))
        return int(row["jobs"]), float(row["seconds"])

    async def completed_within(self, conn: asyncpg.Connection, seconds: float) -> int:
        return int(await conn.fetchval(statement("pgqueuer_completed_within"), seconds))

    async def start_latencies(self, conn: asyncpg.Connection) -> list[float]:
        return [row["ms"] for row in await conn.fetch(statement("pgqueuer_start_latencies"))]


async def consume(dsn: str, batch: int, concurrency: int) -> None:
    conn = await asyncpg.connect(dsn)
    manager = QueueManager(Queries(AsyncpgDriver(conn)))

    @manager.entrypoint("noop")
    async def noop(job: Job) -> None:
        return None

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, manager.shutdown.set)
    queue_driver.announce_ready()
    # pgqueuer runs every picked job at once (no cap by default); `concurrency` is Sluice's knob.
    await manager.run(batch_size=batch)
    await conn.close()


if __name__ == "__main__":
    queue_driver.main(PgqueuerQueue(), consume)
