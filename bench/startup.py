"""9. Start-up: how long a fresh process takes before it is useful, every component registered.

- Worker: a job waits in the queue when `sluice worker` is started; from the spawn to the job's
  `started_at` (the claim), both on this machine's wall clock.
- API: from spawning `sluice serve` to its first 200 from `/health/ready` (asked every 5 ms).

Each is the median of ROUNDS starts. Target: under 1.5 s each. No peer: `python -X importtime -m
sluice worker --help` tells which imports the time goes to.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from bench.harness import OWNER, Bench, prepared_database, sluice_command
from bench.procs import Child, stop_all
from bench.report import Figure, Target
from bench.service import free_port, wait_http
from bench.sluice_queue import EMPTY_FLOW
from bench.stats import percentile
from sluice import db
from sluice.models import FlowSummary
from sluice.store import flows, jobs

ROUNDS = 5
WITHIN = Target("max", 1.5)


async def _worker_start(url: str, flow: FlowSummary) -> float:
    """Seconds from spawning a worker to its claim of the job waiting for it."""
    conn = await db.connect(url)
    try:
        job_id = jobs.new_id()
        await jobs.enqueue(conn, [jobs.Submission(job_id, OWNER, flow.id, flows.version_of(EMPTY_FLOW), 1, {})])
        spawned = time.time()
        worker = Child("sluice worker", sluice_command("worker"), {"DATABASE_URL": url})
        try:
            while (started := await conn.fetchval("select started_at from jobs where id = $1", job_id)) is None:
                if worker.process.poll() is not None:
                    raise RuntimeError(f"the worker exited:\n{worker.tail()}")
                await asyncio.sleep(0.005)
        finally:
            stop_all([worker])
    finally:
        await conn.close()
    return started.timestamp() - spawned


def _api_start(url: str) -> float:
    """Seconds from spawning the API to its first ready answer."""
    port = free_port()
    spawned = time.monotonic()
    api = Child("sluice serve", sluice_command("serve", "--port", str(port)), {"DATABASE_URL": url})
    try:
        wait_http(f"http://127.0.0.1:{port}", "/health/ready", api, every=0.005)
        return time.monotonic() - spawned
    finally:
        stop_all([api])


async def run(bench: Bench) -> list[Figure]:
    name = "bench_startup"
    url = await prepared_database(bench, name)
    try:
        conn = await db.connect(url)
        try:
            flow = await flows.insert(conn, flow_id=uuid.uuid4(), owner=OWNER, name="noop", description="",
                                      endpoint_name="noop", graph=EMPTY_FLOW)
        finally:
            await conn.close()
        rounds = bench.size(ROUNDS, 2)
        worker = [await _worker_start(url, flow) for _ in range(rounds)]
        api = [_api_start(url) for _ in range(rounds)]
    finally:
        bench.drop_database(name)
    return [
        Figure("worker start-up to its first claim (median)", "s", percentile(worker, 0.5), targets=(WITHIN,),
               note=f"slowest of {rounds}: {max(worker):.2f} s"),
        Figure("API start-up to ready (median)", "s", percentile(api, 0.5), targets=(WITHIN,),
               note=f"slowest of {rounds}: {max(api):.2f} s"),
    ]
