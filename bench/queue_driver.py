"""One driver for every queue: `drain` and `steady` measure a `System` the same way for each.

A system's module (bench/sluice_queue.py, bench/peers/*_queue.py) supplies its own setup, enqueue,
bookkeeping queries and worker command; this module does the timing, starts and stops the worker
processes and counts commits, and prints its answer as one JSON line. It runs inside each system's
own virtualenv, so it uses the standard library only.

Times come from the database's clock (each system's own timestamps), never from this process.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from bench.procs import Child, print_result, start_ready, stop_all
from bench.stats import latency_summary

READY = "bench consumer ready"
# After the workers say they listen, give them a moment to settle into their idle wait.
SETTLE = 1.0
Command = tuple[list[str], dict[str, str], str]


class System(Protocol):
    name: str

    async def install(self, dsn: str) -> None:
        """Create the system's schema in a fresh database (and whatever its jobs need)."""

    def worker(self, dsn: str, batch: int, concurrency: int) -> Command:
        """The command of one worker process, its environment, and the line it prints once ready."""

    async def connect(self, dsn: str) -> Any: ...

    async def close(self, conn: Any) -> None: ...

    async def fetch_row(self, conn: Any, name: str) -> dict[str, Any]:
        """The one row that the bench's statement `name` (bench/sql/<name>.sql) answers."""

    async def enqueue_many(self, conn: Any, count: int) -> None:
        """Insert `count` no-op jobs in one transaction."""

    async def enqueue_one(self, conn: Any) -> None:
        """Insert one no-op job, in a transaction of its own."""

    async def unfinished(self, conn: Any) -> int:
        """1 while any job is not yet finished, else 0."""

    async def drain_window(self, conn: Any) -> tuple[int, float]:
        """Finished jobs, and the seconds from the first start to the last finish."""

    async def completed_within(self, conn: Any, seconds: float) -> int:
        """Jobs finished within `seconds` of the first enqueue."""

    async def start_latencies(self, conn: Any) -> list[float]:
        """Milliseconds from each job's enqueue to its start."""


async def _counters(system: System, dsn: str) -> dict[str, int]:
    """bench/sql/write_counters.sql, once every other session of the database has ended: a backend
    flushes its table statistics when it exits, so the workers' writes are all counted."""
    conn = await system.connect(dsn)
    try:
        deadline = time.monotonic() + 30
        while (await system.fetch_row(conn, "other_sessions"))["count"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{system.name}: the workers' sessions did not end")
            await asyncio.sleep(0.05)
        return await system.fetch_row(conn, "write_counters")
    finally:
        await system.close(conn)


def _per_job(before: dict[str, float], after: dict[str, float], jobs: int) -> dict[str, float]:
    """What was spent per job between two readings of write_counters (and the workers' CPU time)."""
    def delta(key: str) -> float:
        return (after[key] - before[key]) / jobs
    return {"worker_cpu_ms_per_job": delta("worker_cpu_seconds") * 1000,
            "commits_per_job": delta("next_xid"), "wal_bytes_per_job": delta("wal_bytes"),
            "rows_per_job": delta("rows"), "updates_per_job": delta("updates"),
            "hot_updates_per_job": delta("hot_updates")}


async def _wait_finished(system: System, conn: Any, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while await system.unfinished(conn):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{system.name}: jobs still unfinished after {timeout:.0f}s")
        await asyncio.sleep(0.1)


def _workers(system: System, dsn: str, count: int, batch: int, concurrency: int) -> list[Child]:
    argv, env, ready = system.worker(dsn, batch, concurrency)
    return start_ready(f"{system.name} worker", count, argv, env, ready)


Step = Callable[[Any], Awaitable[dict[str, Any]]]


async def _measure(system: System, dsn: str, workers: int, batch: int, concurrency: int, work: Step,
                   results: Step) -> tuple[dict[str, Any], dict[str, float], dict[str, float]]:
    """Do `work` before idle workers, wait until they finished every job, and read `results`.
    Returns the answer, and the counters (writes, the workers' CPU time) before the work and after."""
    await system.install(dsn)
    children = _workers(system, dsn, workers, batch, concurrency)
    try:
        await asyncio.sleep(SETTLE)
        conn = await system.connect(dsn)
        try:
            before = {**await system.fetch_row(conn, "write_counters"), "worker_cpu_seconds": _cpu(children)}
            answer = await work(conn)
            await _wait_finished(system, conn)
            spent = _cpu(children)
            answer.update(await results(conn))
        finally:
            await system.close(conn)
    finally:
        stop_all(children)
    return answer, before, {**await _counters(system, dsn), "worker_cpu_seconds": spent}


def _cpu(children: list[Child]) -> float:
    return sum(child.cpu_seconds() for child in children)


async def drain(system: System, dsn: str, count: int, workers: int, batch: int, concurrency: int) -> dict[str, Any]:
    """`count` jobs appear at once (one transaction) before idle workers, which drain them."""

    async def work(conn: Any) -> dict[str, Any]:
        await system.enqueue_many(conn, count)
        return {}

    async def results(conn: Any) -> dict[str, Any]:
        jobs, seconds = await system.drain_window(conn)
        return {"jobs": jobs, "seconds": seconds, "jobs_per_s": jobs / seconds}

    answer, before, after = await _measure(system, dsn, workers, batch, concurrency, work, results)
    return {**answer, **_per_job(before, after, count)}


async def steady(system: System, dsn: str, seconds: float, workers: int, rate: float | None, batch: int,
                 concurrency: int) -> dict[str, Any]:
    """One producer enqueues one job per call for `seconds` (back to back, or at `rate` per second)
    while the workers drain."""

    async def work(conn: Any) -> dict[str, Any]:
        return {"enqueued": await produce(lambda: system.enqueue_one(conn), seconds, rate)}

    async def results(conn: Any) -> dict[str, Any]:
        completed = await system.completed_within(conn, seconds)
        return {"completed_per_s": completed / seconds, **latency_summary(await system.start_latencies(conn))}

    answer, before, after = await _measure(system, dsn, workers, batch, concurrency, work, results)
    return {**answer, **_per_job(before, after, answer["enqueued"])}


async def produce(enqueue: Callable[[], Awaitable[None]], seconds: float, rate: float | None) -> int:
    """Call `enqueue` one job at a time for `seconds`: back to back, or paced at `rate` per second."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    count = 0
    while True:
        due = start + count / rate if rate else loop.time()
        if due - start >= seconds:
            return count
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        await enqueue()
        count += 1


def consume_command(module: str, dsn: str, batch: int, concurrency: int) -> Command:
    """A worker process that is the `consume` command of `module` (a peer's driver)."""
    argv = [sys.executable, "-m", module, "consume", dsn, "--batch", str(batch), "--concurrency", str(concurrency)]
    return argv, {}, READY


def announce_ready() -> None:
    """What a `consume` command prints once it listens for jobs."""
    print(READY, flush=True)


def run(main: Coroutine[Any, Any, Any]) -> Any:
    """Run on uvloop where installed, as Sluice itself does."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def main(system: System, consume: Callable[[str, int, int], Coroutine[Any, Any, None]] | None = None) -> None:
    """The command line of a system's driver: `drain`, `steady`, and `consume` where it has one."""
    parser = argparse.ArgumentParser(prog=system.name)
    parser.add_argument("command", choices=("drain", "steady", "consume") if consume else ("drain", "steady"))
    parser.add_argument("dsn")
    parser.add_argument("--batch", type=int, default=10, help="jobs claimed at once")
    parser.add_argument("--concurrency", type=int, default=20, help="jobs running at once in one worker")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--jobs", type=int, default=20_000, help="drain: jobs to drain")
    parser.add_argument("--seconds", type=float, default=20, help="steady: how long the producer runs")
    parser.add_argument("--rate", type=float, default=0, help="steady: jobs/s; 0 = as fast as one producer can")
    args = parser.parse_args()
    if args.command == "consume":
        assert consume is not None
        run(consume(args.dsn, args.batch, args.concurrency))
    elif args.command == "drain":
        print_result(run(drain(system, args.dsn, args.jobs, args.workers, args.batch, args.concurrency)))
    else:
        print_result(run(steady(system, args.dsn, args.seconds, args.workers, args.rate or None, args.batch,
                                args.concurrency)))
    sys.exit(0)
