"""4. Whole service, background: 10,000 background submissions of the echo flow from 8
concurrent clients, until every job completed: submissions/s (until the last is accepted) and
completed jobs/s (first submission to last finish, by the database's clock). No peer: lfx serve
has no background runs."""

from __future__ import annotations

import asyncio

from bench import http_load
from bench.harness import Bench
from bench.report import Figure, Target
from bench.service import run_body, sluice_service
from bench.statements import statement
from sluice import db

CLIENTS = 8


async def run(bench: Bench) -> list[Figure]:
    count = bench.size(10_000, 1_000)
    async with sluice_service(bench, "bench_service_background") as service:
        bodies = [run_body(service.flow_id, f"job {n}", background=True) for n in range(count)]
        connections = await http_load.connections("127.0.0.1", service.port, {"x-api-key": service.key}, CLIENTS)
        submitted = await http_load.concurrent(connections, "/api/v2/workflows", bodies, count)
        for connection in connections:
            await connection.close()
        conn = await db.connect(service.url)
        try:
            for _ in range(6000):  # at most ten minutes
                if not await conn.fetchval(statement("sluice_unfinished")):
                    break
                await asyncio.sleep(0.1)
            window = await conn.fetchrow(statement("sluice_completion_window"))
        finally:
            await conn.close()
    note = "" if window["completed"] == count else f"only {window['completed']} of {count} jobs completed"
    return [
        Figure(f"background, {CLIENTS} clients: submissions", "req/s", submitted["requests_per_s"]),
        Figure(f"background, {CLIENTS} clients: completed", "jobs/s", window["completed"] / window["seconds"],
               targets=(Target("min", 1000),), note=note),
    ]
