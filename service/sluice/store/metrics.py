"""Queue figures for /metrics, read from the database at scrape time (right with any number of processes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from sluice.models import JobStatus
from sluice.store.statements import statement


@attrs.frozen
class Histogram:
    """Cumulative counts: `counts[i]` observations were at most `bounds[i]`; `count` in all."""

    bounds: tuple[float, ...]
    counts: tuple[int, ...]
    count: int
    total: float


class _Accumulator:
    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * len(bounds)
        self.count = 0
        self.total = 0.0

    def add(self, bounds_not_exceeded: int | None, count: int, total: float) -> None:
        if bounds_not_exceeded is None:
            return
        # The observations fall under the top `bounds_not_exceeded` bounds, and every bucket above.
        for index in range(len(self.bounds) - bounds_not_exceeded, len(self.bounds)):
            self.counts[index] += count
        self.count += count
        self.total += total

    def result(self) -> Histogram:
        return Histogram(self.bounds, tuple(self.counts), self.count, self.total)


@attrs.frozen
class WorkerLeases:
    worker_id: str
    running: int
    lease_expires: float


@attrs.frozen
class QueueFigures:
    jobs: dict[str, int]
    oldest_queued_seconds: float
    run_time: Histogram
    queue_wait: Histogram
    workers: tuple[WorkerLeases, ...]


async def read_queue(conn: Any, bounds: Sequence[float]) -> QueueFigures:
    rows = await conn.fetch(statement("job_metrics"), [-bound for bound in reversed(bounds)])
    jobs = dict.fromkeys((status.value for status in JobStatus), 0)
    oldest = 0.0
    run_time, queue_wait = _Accumulator(bounds), _Accumulator(bounds)
    for row in rows:
        jobs[row["status"]] += row["jobs"]
        if row["status"] == JobStatus.QUEUED:
            oldest = max(oldest, row["oldest_seconds"])
        run_time.add(row["run_bounds"], row["jobs"], row["run_seconds"])
        queue_wait.add(row["wait_bounds"], row["jobs"], row["wait_seconds"])
    workers = tuple(
        WorkerLeases(row["worker_id"], row["running"], row["lease_expires"])
        for row in await conn.fetch(statement("worker_leases"))
    )
    return QueueFigures(jobs, oldest, run_time.result(), queue_wait.result(), workers)
