"""Contract, Errors: 503 database unavailable; Operators: `GET /health/ready` (database reachable).

The database is stopped and started again under running Sluice processes, which must answer 503 (never
500) while it is down and recover by themselves once it is back. The test has its own PostgreSQL
server, so stopping it disturbs no other test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

import flowkit
from conftest import REPOSITORY, Processes, start_postgres
from sluice import db
from sluice.embedded_db import EmbeddedPostgres
from sluice.store import keys, migrate

# Its own PostgreSQL server, stopped and restarted.
pytestmark = pytest.mark.integration

INPUT = "ChatInput-echo.input_value"


@pytest.fixture(scope="module")
def own_server() -> Iterator[EmbeddedPostgres]:
    server = start_postgres(REPOSITORY / ".data" / "test-postgres-outage")
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def sluice_on_own_server(own_server: EmbeddedPostgres) -> AsyncIterator[tuple[Processes, str, str]]:
    own_server.psql("drop database if exists outage")
    own_server.psql("create database outage")
    url = own_server.url("outage")
    conn = await db.connect(url)
    try:
        await migrate.migrate(conn)
        key = await keys.create(conn, "outage-owner")
    finally:
        await conn.close()
    processes = Processes(url)
    try:
        base_url = processes.api()
        processes.worker()
        yield processes, base_url, key
    finally:
        processes.close()


async def wait_for_ready(client, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (await client.get("/health/ready")).status_code != 200:
        assert time.monotonic() < deadline, "Sluice did not become ready again after the database came back"
        await asyncio.sleep(0.1)


async def test_database_down_is_503_and_sluice_recovers_without_a_restart(own_server, sluice_on_own_server):
    """Contract: 503 database unavailable (code DATABASE_UNAVAILABLE, never a 500); `GET /health/ready`
    (database reachable) answers 503 while it is down and 200 after it restarts, and runs work again,
    with no restart of Sluice."""
    processes, base_url, key = sluice_on_own_server
    api_process = next(p for p in processes.started if "serve" in p.args)
    async with processes_client(base_url, key) as client:
        flow = await create_flow(client)
        run = {"flow_id": flow["id"], "inputs": {INPUT: "before"}}
        assert (await client.post("/api/v2/workflows", json=run)).json()["status"] == "completed"

        own_server.stop()
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["code"] == "DATABASE_UNAVAILABLE"
        answers = [
            await client.post("/api/v2/workflows", json=run),
            await client.post("/api/v2/workflows", json=run | {"background": True}),
            await client.get("/api/v1/flows/"),
            await client.get("/metrics"),
        ]
        async with processes_client(base_url, "sk-not-cached") as uncached:
            answers.append(await uncached.get("/api/v1/flows/"))
        for response in answers:
            assert response.status_code == 503, response.text
            assert response.json() == {"detail": "The database is unavailable; try again shortly.",
                                       "code": "DATABASE_UNAVAILABLE"}
        assert (await client.get("/health")).status_code == 200  # the process itself is up

        own_server.start()
        await wait_for_ready(client)
        after = await client.post("/api/v2/workflows", json=run | {"inputs": {INPUT: "after"}})
        assert after.status_code == 200
        assert after.json()["outputs"]["ChatOutput-echo"]["content"] == "after"
        async with client.stream("GET", "/api/v2/workflows",
                                 params={"job_id": after.json()["job_id"], "stream": "true"}) as stream:
            assert stream.status_code == 200
            assert "event: end" in (await stream.aread()).decode()
    assert api_process.poll() is None  # the same process throughout


def processes_client(base_url: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, headers={"x-api-key": key}, timeout=30)


async def create_flow(client) -> dict:
    response = await client.post("/api/v1/flows/", json=flowkit.echo_flow())
    assert response.status_code == 201, response.text
    return response.json()
