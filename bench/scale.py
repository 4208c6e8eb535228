"""6. Scale: does the queue slow down as history piles up, and does churn bloat it?

- The claim statement's latency (claim_jobs, batch 10, one connection, one claim after another) and
  the drain rate of 2 worker processes, with 100,000 queued jobs on an otherwise empty table, and
  again with 1,000,000 finished jobs (the two events each stores) beside them: loaded must reach at
  least 0.8 of empty (the ratio in the table, where the peer column is the empty table).
- Table and index sizes after churning 1,000,000 jobs through real workers, in rounds, with finished
  jobs deleted after each round by the retention duty's own code (queue/prune_jobs.sql in batches
  of 5,000, then its vacuum), against the sizes after the first round.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

from bench.harness import Bench, prepared_database, start_workers
from bench.procs import stop_all
from bench.report import Figure, Target
from bench.sluice_queue import EMPTY_FLOW, OWNER, SluiceQueue
from bench.statements import statement
from bench.stats import latency_summary
from sluice import db
from sluice.store import flows, jobs, retention
from sluice.worker.loop import CLAIM_BATCH

WORKERS = 2
CONCURRENCY = 20
FILL_CHUNK = 100_000
DELETE_BATCH = 5_000
WITHIN = Target("ratio", 0.8)


async def _unfinished(conn: asyncpg.Connection, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while await conn.fetchval(statement("sluice_unfinished")):
        if time.monotonic() > deadline:
            raise TimeoutError("jobs still unfinished")
        await asyncio.sleep(0.1)


async def _queue_figures(bench: Bench, history: int, queued: int, claims: int) -> dict[str, Any]:
    """Claim latency and drain rate with `queued` jobs waiting beside `history` finished ones."""
    name = "bench_scale"
    url = await prepared_database(bench, name)
    conn = await db.connect(url)
    version = flows.version_of(EMPTY_FLOW)
    try:
        flow = await flows.insert(conn, flow_id=SluiceQueue().flow_id, owner=OWNER, name="noop", description="",
                                  endpoint_name="noop", graph=EMPTY_FLOW)
        for done in range(0, history, FILL_CHUNK):
            await conn.execute(statement("fill_finished_jobs"), min(FILL_CHUNK, history - done), flow.id, version)
        for done in range(0, queued, FILL_CHUNK):
            await conn.execute(statement("fill_queued_jobs"), min(FILL_CHUNK, queued - done), flow.id, version)
        await conn.execute(statement("vacuum_analyze"))
        samples = []
        for _ in range(claims):
            started = time.perf_counter()
            await jobs.claim(conn, "latency-probe", CLAIM_BATCH, 30)
            samples.append((time.perf_counter() - started) * 1000)
        await conn.execute(statement("finish_claimed"))
        since = await conn.fetchval(statement("now"))
        workers = start_workers(url, WORKERS, CONCURRENCY)
        try:
            await _unfinished(conn)
        finally:
            stop_all(workers)
        window = await conn.fetchrow(statement("sluice_drain_window_since"), since)
    finally:
        await conn.close()
        bench.drop_database(name)
    return {**latency_summary(samples), "jobs_per_s": window["jobs"] / window["seconds"]}


async def _sizes(conn: asyncpg.Connection) -> dict[str, float]:
    rows = await conn.fetch(statement("table_sizes"))
    sizes = {row["name"]: (row["table_bytes"] + row["index_bytes"]) / 2**20 for row in rows}
    sizes["total"] = sum(sizes.values())
    return sizes


async def _churn(bench: Bench, total: int, round_size: int) -> tuple[dict[str, float], dict[str, float]]:
    """Sizes after the first round and after the last, churning `total` jobs through the workers."""
    name = "bench_churn"
    url = bench.fresh_database(name)
    system = SluiceQueue()
    await system.install(url)
    workers = start_workers(url, WORKERS, CONCURRENCY)
    conn = await db.connect(url)
    first: dict[str, float] = {}
    try:
        for done in range(0, total, round_size):
            await system.enqueue_many(conn, min(round_size, total - done))
            await _unfinished(conn)
            await retention.prune(conn, 0, wait_for_lock=True, batch=DELETE_BATCH, pause=0)
            if not first:
                first = await _sizes(conn)
        last = await _sizes(conn)
    finally:
        await conn.close()
        stop_all(workers)
        bench.drop_database(name)
    return first, last


async def run(bench: Bench) -> list[Figure]:
    history, queued, churned = bench.size((1_000_000, 100_000, 1_000_000), (100_000, 10_000, 50_000))
    claims = bench.size(1000, 200)
    empty = await _queue_figures(bench, 0, queued, claims)
    loaded = await _queue_figures(bench, history, queued, claims)
    peer = "empty table"
    label = f"{history:,} finished + {queued:,} queued"
    figures = [
        Figure(f"claim p50, {label}", "ms", loaded["p50_ms"], empty["p50_ms"], peer, "lower", (WITHIN,)),
        Figure(f"claim p99, {label}", "ms", loaded["p99_ms"], empty["p99_ms"], peer, "lower"),
        Figure(f"drain, 2 workers, {label}", "jobs/s", loaded["jobs_per_s"], empty["jobs_per_s"], peer, "higher",
               (WITHIN,)),
    ]
    first, last = await _churn(bench, churned, bench.size(20_000, 10_000))
    note = ("finished jobs deleted after each round by the retention duty's code (batches of 5,000, then its "
            "vacuum); peer column: sizes after the first round")
    for part, size in last.items():
        figures.append(Figure(f"size after churning {churned:,} jobs: {part} (with indexes)", "MB", size, first[part],
                              "first round", "lower", note=note if part == "total" else ""))
    return figures
