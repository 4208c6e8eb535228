"""procrastinate as a `System` for bench/queue_driver.py, run in its own virtualenv (.bench/procrastinate).

Workers are procrastinate's own (`App.run_worker_async`) with a no-op task. procrastinate claims one
job per query (it has no claim batch), keeps finished jobs, and records each status change in
`procrastinate_events`, whose timestamps give the windows and latencies.
"""

from __future__ import annotations

from typing import Any

from procrastinate import App, PsycopgConnector

from bench import queue_driver
from bench.statements import statement

MODULE = "bench.peers.procrastinate_queue"


def _app(dsn: str) -> App:
    app = App(connector=PsycopgConnector(conninfo=dsn))

    @app.task(name="noop")
    async def noop() -> None:
        return None

    return app


class ProcrastinateQueue:
    name = "procrastinate"

    async def install(self, dsn: str) -> None:
        async with _app(dsn).open_async() as app:
            await app.schema_manager.apply_schema_async()

    def worker(self, dsn: str, batch: int, concurrency: int) -> queue_driver.Command:
        return queue_driver.consume_command(MODULE, dsn, batch, concurrency)

    async def connect(self, dsn: str) -> App:
        return await _app(dsn).open_async()

    async def close(self, conn: App) -> None:
        await conn.close_async()

    async def _value(self, app: App, name: str, **arguments: Any) -> Any:
        row = await app.connector.execute_query_one_async(statement(name), **arguments)
        return next(iter(row.values()))

    async def fetch_row(self, conn: App, name: str) -> dict[str, Any]:
        return dict(await conn.connector.execute_query_one_async(statement(name)))

    async def enqueue_many(self, conn: App, count: int) -> None:
        await conn.tasks["noop"].batch_defer_async(*({} for _ in range(count)))

    async def enqueue_one(self, conn: App) -> None:
        await conn.tasks["noop"].defer_async()

    async def unfinished(self, conn: App) -> int:
        return int(await self._value(conn, "procrastinate_unfinished"))

    async def drain_window(self, conn: App) -> tuple[int, float]:
        row = await conn.connector.execute_query_one_async(statement("procrastinate_drain_window"))
        return int(row["jobs"]), float(row["seconds"])

    async def completed_within(self, conn: App, seconds: float) -> int:
        return int(await self._value(conn, "procrastinate_completed_within", seconds=seconds))

    async def start_latencies(self, conn: App) -> list[float]:
        rows = await conn.connector.execute_query_all_async(statement("procrastinate_start_latencies"))
        return [row["ms"] for row in rows]


async def consume(dsn: str, batch: int, concurrency: int) -> None:
    # procrastinate fetches one job per query, so `batch` does not apply to it.
    async with _app(dsn).open_async() as app:
        queue_driver.announce_ready()
        await app.run_worker_async(concurrency=concurrency, install_signal_handlers=True)


if __name__ == "__main__":
    queue_driver.main(ProcrastinateQueue(), consume)
