"""The whole of Sluice as a user runs it, for the service benchmarks: `sluice serve` (uvicorn) with
`sluice worker` processes (2 of concurrency 8 unless told) on a fresh database, an API key, and one
flow stored (the echo flow of bench/flows.py unless told)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import attrs
import httpx
import orjson

from bench import flows as bench_flows
from bench.harness import OWNER, Bench, prepared_database, sluice_command, start_workers
from bench.procs import Child, stop_all
from sluice import db
from sluice.engine.validation import runnable_document
from sluice.store import flows, keys

ECHO_INPUT = "ChatInput-echo.input_value"
WORKERS = 2


@attrs.frozen
class Service:
    url: str
    port: int
    key: str
    flow_id: str
    api: Child
    workers: tuple[Child, ...]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(base_url: str, path: str, child: Child, timeout: float = 60, every: float = 0.1) -> None:
    """Ask `path` every `every` seconds until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited:\n{child.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base_url + path, timeout=1).status_code == 200:
                return
        time.sleep(every)
    raise RuntimeError(f"{child.name} did not answer {path}:\n{child.tail()}")


@contextlib.asynccontextmanager
async def sluice_service(bench: Bench, name: str, export: dict[str, Any] | None = None, workers: int = WORKERS,
                         concurrency: int = 8, env: Mapping[str, str] | None = None) -> AsyncIterator[Service]:
    url = await prepared_database(bench, name)
    conn = await db.connect(url)
    try:
        key = await keys.create(conn, OWNER)
        export = export or orjson.loads(bench_flows.echo().read_bytes())
        flow = await flows.create(conn, owner=OWNER, name="echo", description="", endpoint_name="echo",
                                  graph=runnable_document(export))
    finally:
        await conn.close()
    port = free_port()
    env = {"DATABASE_URL": url, **(env or {})}
    api = Child("sluice serve", sluice_command("serve", "--port", str(port)), env)
    children = [api]
    try:
        wait_http(f"http://127.0.0.1:{port}", "/health/ready", api)
        started = start_workers(url, workers, concurrency, env)
        children += started
        yield Service(url, port, key, str(flow.id), api, tuple(started))
    finally:
        stop_all(children)
        bench.drop_database(name)


def run_body(flow_id: str, text: str, background: bool = False) -> bytes:
    return orjson.dumps({"flow_id": flow_id, "background": background, "inputs": {ECHO_INPUT: text}})
