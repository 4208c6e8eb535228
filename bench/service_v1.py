"""8. Langflow's v1 run beside the Workflow API: the echo flow through `POST /api/v1/run/{flow}` (the
path langflow-sdk and @datastax/langflow-client take) and `POST /api/v2/workflows`, both sync, on the
same service (uvicorn, 2 worker processes) and one connection each. The two take turns in rounds of
sequential requests, so both see the same machine; the figure is the median of all requests. The v1
path adds the translation of its request into job inputs and of the job's response into a
RunResponse; the queue work is the same."""

from __future__ import annotations

import time

import orjson

from bench import http_load
from bench.harness import Bench
from bench.report import Figure, Target
from bench.service import run_body, sluice_service
from bench.stats import latency_summary

ROUNDS = 10


async def _round(connection: http_load.Connection, path: str, body: bytes, count: int, into: list[float]) -> None:
    for _ in range(count):
        started = time.perf_counter()
        status, answer = await connection.request("POST", path, body)
        into.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {answer[:200]!r}")


async def run(bench: Bench) -> list[Figure]:
    per_round, warmup = bench.size((300, 100), (50, 20))
    async with sluice_service(bench, "bench_service_v1") as service:
        v1_path, v1_body = f"/api/v1/run/{service.flow_id}", orjson.dumps({"input_value": "hi"})
        v2_path, v2_body = "/api/v2/workflows", run_body(service.flow_id, "hi")
        [v1, v2] = await http_load.connections("127.0.0.1", service.port, {"x-api-key": service.key}, 2)
        samples: dict[str, list[float]] = {"v1": [], "v2": []}
        await _round(v1, v1_path, v1_body, warmup, [])
        await _round(v2, v2_path, v2_body, warmup, [])
        for _ in range(bench.size(ROUNDS, 2)):
            await _round(v2, v2_path, v2_body, per_round, samples["v2"])
            await _round(v1, v1_path, v1_body, per_round, samples["v1"])
        for connection in (v1, v2):
            await connection.close()
    v1_summary, v2_summary = latency_summary(samples["v1"]), latency_summary(samples["v2"])
    note = f"{len(samples['v1'])} requests each, in {bench.size(ROUNDS, 2)} alternating rounds"
    return [
        # The ratio is v2's latency over v1's: at least 1/1.1 means v1 costs at most 10 % more.
        Figure("v1 run, sync, sequential: p50", "ms", v1_summary["p50_ms"], v2_summary["p50_ms"], "v2 workflows",
               "lower", (Target("ratio", 1 / 1.1),), note),
        Figure("v1 run, sync, sequential: p99", "ms", v1_summary["p99_ms"], v2_summary["p99_ms"], "v2 workflows",
               "lower", (), note),
    ]
