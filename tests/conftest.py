"""Fixtures: a real PostgreSQL (embedded), real API and worker processes, real HTTP.

One embedded server serves the whole session. Each test module gets its own database, cloned from
a migrated template, and its own API and worker processes, so tests that kill or stop processes
cannot disturb each other.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from fake_openai import FakeOpenAI
from sluice import db
from sluice.embedded_db import EmbeddedPostgres
from sluice.store import keys, migrate

REPOSITORY = Path(__file__).resolve().parents[1]
TEMPLATE = "sluice_template"


class Cluster:
    def __init__(self, server: EmbeddedPostgres) -> None:
        self.server = server

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.server.psql(f'create database "{name}" template {TEMPLATE}')
        return self.server.url(name)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    port = int(os.environ.get("SLUICE_TEST_PG_PORT", "54339"))
    server = EmbeddedPostgres(REPOSITORY / ".data" / "test-postgres", port)
    server.start()
    server.psql(f"drop database if exists {TEMPLATE}")
    server.psql(f"create database {TEMPLATE}")

    async def apply() -> None:
        conn = await db.connect(server.url(TEMPLATE))
        try:
            await migrate.migrate(conn)
        finally:
            await conn.close()

    import asyncio

    asyncio.run(apply())
    yield Cluster(server)
    server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Processes:
    """Sluice API and worker processes started by a test, all stopped at its end."""

    def __init__(self, database_url: str, env: dict[str, str] | None = None, *,
                 command: tuple[str, ...] = (sys.executable, "-m", "sluice"), cwd: Path = REPOSITORY) -> None:
        """`command` starts Sluice (another installation's `sluice` script, say), in `cwd`."""
        self.database_url = database_url
        self.command = command
        self.cwd = cwd
        self.env = {**os.environ, "DATABASE_URL": database_url, "SLUICE_LEASE_SECONDS": "5", **(env or {})}
        self.started: list[subprocess.Popen[bytes]] = []

    def _spawn(self, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([*self.command, *args], env={**self.env, **env}, cwd=self.cwd)
        self.started.append(process)
        return process

    def api(self, *args: str, **env: str) -> str:
        """Start `sluice serve` (with extra `args`, e.g. `--workers 2`) and wait until it is ready."""
        port = free_port()
        process = self._spawn("serve", "--port", str(port), *args, env=env)
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the API process exited during start-up")
            try:
                if httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200:
                    return base_url
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the API did not become ready")

    def worker(self, concurrency: int = 8, **env: str) -> subprocess.Popen[bytes]:
        return self._spawn("worker", "--concurrency", str(concurrency), env=env)

    def stop(self, process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        if process.poll() is None:
            process.send_signal(sig)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Service:
    """A database with an API and workers in front of it, for one test module."""

    def __init__(self, database_url: str, processes: Processes, base_url: str, pool: asyncpg.Pool) -> None:
        self.database_url = database_url
        self.processes = processes
        self.base_url = base_url
        self.pool = pool

    async def key(self, owner: str | None = None) -> tuple[str, str]:
        owner = owner or f"owner-{uuid.uuid4().hex[:8]}"
        return owner, await keys.create(self.pool, owner)

    def client(self, key: str | None, base_url: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An HTTP client with `key`, for this service's API or another API process (`base_url`)."""
        headers = {"x-api-key": key} if key else {}
        return httpx.AsyncClient(base_url=base_url or self.base_url, headers=headers, timeout=30, **kwargs)

    async def flow(self, client: httpx.AsyncClient, export: dict[str, Any]) -> dict[str, Any]:
        response = await client.post("/api/v1/flows/", json=export)
        assert response.status_code == 201, response.text
        return response.json()


@contextlib.asynccontextmanager
async def start_service(cluster: Cluster, env: dict[str, str] | None = None, workers: int = 2,
                        database_url: str | None = None) -> AsyncIterator[Service]:
    """A fresh database (or `database_url`'s) with an API and `workers` workers, all started with `env`
    added to theirs."""
    url = database_url or cluster.new_database()
    processes = Processes(url, env)
    pool = await db.create_pool(url, min_size=1, max_size=4)
    try:
        base_url = processes.api()
        for _ in range(workers):
            processes.worker()
        yield Service(url, processes, base_url, pool)
    finally:
        processes.close()
        await pool.close()


@pytest.fixture(scope="module")
async def service(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster) as started:
        yield started


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeOpenAI]:
    """The model endpoint of the tests; a module gets it in its workers by overriding `service`:
    `async with start_service(cluster, fake_openai.env()) as started: yield started`."""
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
async def owner_key(service: Service) -> tuple[str, str]:
    return await service.key()


@pytest.fixture
async def client(service: Service, owner_key: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with service.client(owner_key[1]) as http:
        yield http

