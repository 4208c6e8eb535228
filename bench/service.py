"""Whole service: chat_echo_no_llm.json through `POST /api/v2/workflows` on `sluice serve` with two
`sluice worker` processes (every run a durable job), beside `lfx serve` on the same flow
(`POST /flows/{id}/run`, which runs it in the request).

Sync: latency of sequential requests, then requests/s and latency with 8 and 64 clients.
Background: submissions from 8 clients until every job has completed.
Run alone: `.venv/bin/python -m bench service` (add `--quick` for a short run).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson

from bench.engine import FLOWS, chat_input
from bench.figures import Figure
from bench.harness import BENCH_DIR, OWNER, Bench, prepared_database, sluice_command, start_workers, wait_until_zero
from bench.procs import Child, stop_all
from bench.statements import statement
from bench.stats import latency_summary
from sluice import db
from sluice.store import keys

FILE = FLOWS / "chat_echo_no_llm.json"
MESSAGE = "hello from the bench"
SLUICE_PORT = int(os.environ.get("SLUICE_BENCH_API_PORT", "56601"))
LFX_PORT = int(os.environ.get("SLUICE_BENCH_LFX_PORT", "56602"))
Send = Callable[[httpx.AsyncClient], Awaitable[None]]


async def load(client: httpx.AsyncClient, send: Send, total: int, clients: int) -> dict[str, Any]:
    """`total` requests from `clients` concurrent senders: latencies and requests/s."""
    latencies: list[float] = []
    remaining = total

    async def sender() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            await send(client)
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(clients)))
    seconds = time.perf_counter() - start
    return {**latency_summary(latencies), "per_s": total / seconds}


async def sync_figures(base_url: str, send: Send, sizes: dict[str, int]) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        await load(client, send, sizes["warmup"], 1)
        return {
            "sequential": await load(client, send, sizes["sequential"], 1),
            "clients_8": await load(client, send, sizes["concurrent"], 8),
            "clients_64": await load(client, send, sizes["concurrent"], 64),
        }


def _ready(base_url: str, path: str, child: Child, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited:\n{child.tail()}")
        try:
            if httpx.get(base_url + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{child.name} was not ready:\n{child.tail()}")


async def sluice_side(bench: Bench, export: dict[str, Any], sizes: dict[str, int]) -> dict[str, Any]:
    url = await prepared_database(bench, "bench_service")
    conn = await db.connect(url)
    try:
        key = await keys.create(conn, OWNER)
    finally:
        await conn.close()
    base_url = f"http://127.0.0.1:{SLUICE_PORT}"
    api = Child("sluice serve", sluice_command("serve", "--port", str(SLUICE_PORT)), {"DATABASE_URL": url})
    children = [api]
    try:
        _ready(base_url, "/health/ready", api)
        children += start_workers(url, 2, 8)
        headers = {"x-api-key": key}
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
            flow = (await client.post("/api/v1/flows/", json=export)).json()
        inputs = {f"{chat_input(export)}.input_value": MESSAGE}
        body = orjson.dumps({"flow_id": flow["id"], "inputs": inputs})
        background_body = orjson.dumps({"flow_id": flow["id"], "inputs": inputs, "background": True})

        async def run(client: httpx.AsyncClient) -> None:
            response = await client.post("/api/v2/workflows", content=body, headers=headers)
            if response.status_code != 200 or response.json()["status"] != "completed":
                raise RuntimeError(f"sluice answered {response.status_code}: {response.text[:300]}")

        async def submit(client: httpx.AsyncClient) -> None:
            response = await client.post("/api/v2/workflows", content=background_body, headers=headers)
            if response.status_code not in (200, 202):
                raise RuntimeError(f"sluice answered {response.status_code}: {response.text[:300]}")

        answer = await sync_figures(base_url, run, sizes)
        answer["background"] = await background(base_url, url, submit, sizes["background"])
        return answer
    finally:
        stop_all(children)


async def background(base_url: str, url: str, submit: Send, total: int) -> dict[str, Any]:
    """`total` background submissions from 8 clients, then wait until no job is unfinished."""
    conn = await db.connect(url)
    try:
        start = time.perf_counter()
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            submitted = await load(client, submit, total, 8)
        await wait_until_zero(conn, statement("sluice_unfinished"), timeout=600, interval=0.02)
        seconds = time.perf_counter() - start
    finally:
        await conn.close()
    return {"submissions_per_s": submitted["per_s"], "submit_p99_ms": submitted["p99_ms"],
            "completed_per_s": total / seconds}


async def lfx_side(bench: Bench, sizes: dict[str, int]) -> dict[str, Any] | None:
    python = bench.peer_python("lfx")
    if python is None:
        return None
    key = "bench-lfx-key"
    lfx = Child("lfx serve", [str(python.parent / "lfx"), "serve", "--port", str(LFX_PORT), str(FILE)],
                {"LANGFLOW_API_KEY": key, "LFX_API_KEY": key})
    try:
        base_url = f"http://127.0.0.1:{LFX_PORT}"
        _ready(base_url, "/health", lfx, timeout=120)
        headers = {"x-api-key": key}
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
            listing = (await client.get("/flows")).json()
        flow_id = (listing[0] if isinstance(listing, list) else listing["flows"][0])["id"]
        body = orjson.dumps({"input_value": MESSAGE})

        async def run(client: httpx.AsyncClient) -> None:
            response = await client.post(f"/flows/{flow_id}/run", content=body,
                                         headers={**headers, "content-type": "application/json"})
            if response.status_code != 200:
                raise RuntimeError(f"lfx answered {response.status_code}: {response.text[:300]}")

        return await sync_figures(base_url, run, {**sizes, "sequential": sizes["sequential"] // 4,
                                                  "concurrent": sizes["concurrent"] // 4})
    finally:
        stop_all([lfx])


def measure(bench: Bench) -> tuple[list[Figure], dict[str, Any]]:
    sizes = bench.size({"warmup": 50, "sequential": 1000, "concurrent": 2000, "background": 10_000},
                       {"warmup": 20, "sequential": 200, "concurrent": 400, "background": 1000})
    export = orjson.loads(FILE.read_bytes())
    ours = asyncio.run(sluice_side(bench, export, sizes))
    peer = asyncio.run(lfx_side(bench, sizes))

    def theirs(*path: str) -> float | None:
        value: Any = peer
        for step in path:
            if value is None:
                return None
            value = value[step]
        return value

    seq, c8, c64 = ours["sequential"], ours["clients_8"], ours["clients_64"]
    lfx_c8 = theirs("clients_8", "per_s")
    lfx_c8_p99 = theirs("clients_8", "p99_ms")
    figures = [
        Figure("service", "sync sequential p50", "ms", seq["p50_ms"], theirs("sequential", "p50_ms"), "lfx serve",
               better="lower", target="< 5 ms", met=seq["p50_ms"] < 5),
        Figure("service", "sync sequential p99", "ms", seq["p99_ms"], theirs("sequential", "p99_ms"), "lfx serve",
               better="lower"),
        Figure("service", "sync 8 clients", "req/s", c8["per_s"], lfx_c8, "lfx serve", target=">= 10x lfx",
               met=lfx_c8 is not None and c8["per_s"] >= 10 * lfx_c8),
        Figure("service", "sync 8 clients p99", "ms", c8["p99_ms"], lfx_c8_p99, "lfx serve", better="lower",
               target="< lfx", met=lfx_c8_p99 is not None and c8["p99_ms"] < lfx_c8_p99),
        Figure("service", "sync 64 clients", "req/s", c64["per_s"], theirs("clients_64", "per_s"), "lfx serve"),
        Figure("service", "background submissions", "/s", ours["background"]["submissions_per_s"]),
        Figure("service", "background completed", "jobs/s", ours["background"]["completed_per_s"],
               target=">= 1,000/s", met=ours["background"]["completed_per_s"] >= 1000),
    ]
    return figures, {"sluice": ours, "lfx": peer, "sizes": sizes, "bench_dir": str(BENCH_DIR)}
