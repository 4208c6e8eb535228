"""3. Whole service, sync: the echo flow (bench/flows.py) through `POST /api/v2/workflows` (sync: the answer
waits for the job) on uvicorn with 2 worker processes; every run is a durable job. Latency of 1,000
sequential requests, then requests/s with 8 and 64 concurrent clients. Peer: `lfx serve` on the same
flow file (`POST /flows/{id}/run`), with 2 worker processes as well (gunicorn)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator

import httpx
import orjson

from bench import flows, http_load
from bench.harness import Bench
from bench.procs import Child, stop_all
from bench.report import Figure, Target
from bench.service import WORKERS, free_port, run_body, sluice_service, wait_http

# Concurrent clients, and the requests they send in all (each run lasts a few seconds for Sluice).
CLIENTS = {8: 2000, 64: 3200}


@contextlib.asynccontextmanager
async def lfx_serve(bench: Bench) -> AsyncIterator[tuple[int, str, str] | None]:
    python = bench.peer_python("lfx")
    if python is None:
        yield None
        return
    port, key = free_port(), secrets.token_urlsafe(16)
    server = Child("lfx serve", [str(python.parent / "lfx"), "serve", str(flows.echo()), "--port", str(port),
                                 "--workers", str(WORKERS), "--log-level", "warning"],
                   {"LANGFLOW_API_KEY": key})
    try:
        wait_http(f"http://127.0.0.1:{port}", "/health", server, timeout=120)
        yield port, key, served_flow_id(port, key)
    finally:
        stop_all([server])


def served_flow_id(port: int, key: str) -> str:
    """lfx serve names each flow it serves by an id of its own; it serves one here."""
    return httpx.get(f"http://127.0.0.1:{port}/flows", headers={"x-api-key": key}, timeout=10).json()[0]["id"]


async def measure(port: int, key: str, path: str, body: bytes, bench: Bench) -> dict[str, dict[str, float]]:
    sequential, warmup = bench.size((1000, 100), (200, 20))
    headers = {"x-api-key": key}
    results: dict[str, dict[str, float]] = {}
    [connection] = await http_load.connections("127.0.0.1", port, headers, 1)
    await http_load.sequential(connection, path, body, warmup)
    results["sequential"] = await http_load.sequential(connection, path, body, sequential)
    await connection.close()
    for clients, requests in CLIENTS.items():
        connections = await http_load.connections("127.0.0.1", port, headers, clients)
        results[f"{clients} clients"] = await http_load.concurrent(connections, path, body,
                                                                   bench.size(requests, clients * 10))
        for connection in connections:
            await connection.close()
    return results


async def run(bench: Bench) -> list[Figure]:
    async with sluice_service(bench, "bench_service_sync") as service:
        sluice = await measure(service.port, service.key, "/api/v2/workflows", run_body(service.flow_id, "hi"),
                               bench)
    async with lfx_serve(bench) as served:
        lfx = None
        if served is not None:
            port, key, flow_id = served
            lfx = await measure(port, key, f"/flows/{flow_id}/run", orjson.dumps({"input_value": "hi"}), bench)
    note = "" if lfx else "lfx is not installed (make bench installs it)"

    def figure(name: str, unit: str, case: str, key: str, better: str, targets: tuple[Target, ...] = ()) -> Figure:
        return Figure(name, unit, sluice[case][key], lfx[case][key] if lfx else None, "lfx", better, targets, note)

    figures = [
        figure("sync, sequential: p50", "ms", "sequential", "p50_ms", "lower", (Target("max", 5.0),)),
        figure("sync, sequential: p99", "ms", "sequential", "p99_ms", "lower"),
    ]
    for clients in CLIENTS:
        case = f"{clients} clients"
        figures.append(figure(f"sync, {case}: requests", "req/s", case, "requests_per_s", "higher",
                              (Target("ratio", 10.0),) if clients == 8 else ()))
        figures.append(figure(f"sync, {case}: p99", "ms", case, "p99_ms", "lower",
                              (Target("ratio", 1.0),) if clients == 8 else ()))
    return figures
