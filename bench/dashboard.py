"""7. Dashboard: do the overview's and workers page's queries stay fast on a long history?

Each query the overview and the workers page run (sluice/store/sql/ui_*.sql), for the windows the
pages offer (15 minutes, an hour, a day), on 1,000,000 finished jobs of one owner: once spread over
30 days (the default retention: about 33,000 a day), once all finished in the last day (the worst
case for the day window). The figure is the median of 15 runs of each query, one after another on
one connection, after VACUUM ANALYZE; the overview's total is its five queries' sum (the page runs
them one after another on one connection).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.harness import Bench, prepared_database
from bench.report import Figure
from bench.sluice_queue import EMPTY_FLOW
from bench.statements import statement
from bench.stats import percentile
from sluice import db
from sluice.store import dashboard, flows

FLOWS = 5
FILL_CHUNK = 100_000
RUNS = 15
WINDOWS = {"15 min": (timedelta(minutes=15), timedelta(minutes=1)),
           "1 hour": (timedelta(hours=1), timedelta(minutes=2)),
           "1 day": (timedelta(days=1), timedelta(minutes=30))}
OVERVIEW = ("job_counts", "finished_by_status", "latency", "queue_depth", "failure_by_flow")


async def _fill(conn: asyncpg.Connection, history: int, spread: timedelta) -> None:
    version = flows.version_of(EMPTY_FLOW)
    ids = []
    for n in range(FLOWS):
        flow = await flows.insert(conn, flow_id=uuid.uuid4(), owner="bench", name=f"flow {n}", description="",
                                  endpoint_name=f"flow-{n}", graph=EMPTY_FLOW)
        ids.append(flow.id)
    for done in range(0, history, FILL_CHUNK):
        # Each chunk fills its own slice of the spread, so the whole history is evenly spaced.
        count = min(FILL_CHUNK, history - done)
        await conn.execute(statement("fill_dashboard_history"), count, spread * count / history, ids, version,
                           spread * done / history)
    await conn.execute(statement("vacuum_analyze"))


async def _median_ms(query: Callable[..., Awaitable[object]], *args: object) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await query(*args)
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 0.5)


# Each query, and whether it takes the window's bucket size.
QUERIES = {"job_counts": (dashboard.job_counts, False), "finished_by_status": (dashboard.finished_by_status, True),
           "latency": (dashboard.latency, True), "queue_depth": (dashboard.queue_depth, True),
           "failure_by_flow": (dashboard.failure_by_flow, False), "worker_activity": (dashboard.worker_activity, False)}


async def _measure(conn: asyncpg.Connection, label: str) -> list[Figure]:
    figures = []
    for window, (span, step) in WINDOWS.items():
        since = datetime.now(UTC) - span
        times = {name: await _median_ms(query, conn, "bench", since, *((step,) if bucketed else ()))
                 for name, (query, bucketed) in QUERIES.items()}
        figures.append(Figure(f"dashboard overview, {window} window, {label}", "ms",
                              sum(times[name] for name in OVERVIEW), better="lower",
                              note=", ".join(f"{name} {ms:.1f}" for name, ms in times.items())))
        figures.append(Figure(f"dashboard workers page, {window} window, {label}", "ms", times["worker_activity"],
                              better="lower"))
    return figures


async def run(bench: Bench) -> list[Figure]:
    history = bench.size(1_000_000, 100_000)
    figures = []
    for label, spread in ((f"{history:,} finished over 30 days", timedelta(days=30)),
                          (f"{history:,} finished in the last day", timedelta(days=1))):
        name = "bench_dashboard"
        url = await prepared_database(bench, name)
        conn = await db.connect(url)
        try:
            await _fill(conn, history, spread)
            figures.extend(await _measure(conn, label))
        finally:
            await conn.close()
            bench.drop_database(name)
    return figures
