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
# A test that uses one of these (directly or through another fixture, such as `service`) needs a
# database or a local server: an integration test. Modules that start processes themselves say so
# with `pytestmark = pytest.mark.integration`.
INTEGRATION_FIXTURES = frozenset({"cluster", "fake_openai"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test is in one tier: `integration`, or else `unit` (`pytest -m unit` runs those alone)."""
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("integration") is None and INTEGRATION_FIXTURES.isdisjoint(uses):
            item.add_marker(pytest.mark.unit)
        else:
            item.add_marker(pytest.mark.integration)


class _Forbidden(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _unit_tests_stay_in_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit test that starts a process or opens a network socket fails, so the tiers stay honest."""
    if request.node.get_closest_marker("unit") is None:
        return

    def refuse(what: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            raise _Forbidden(f"a unit test may not {what}: mark its module `pytest.mark.integration`")
        return refused

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("start a process"))
    monkeypatch.setattr(socket.socket, "connect", refuse("open a network connection"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("open a network connection"))
    monkeypatch.setattr(socket.socket, "bind", refuse("listen on a port"))


class Cluster:
    def __init__(self, server: EmbeddedPostgres) -> None:
        self.server = server

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.server.psql(f'create database "{name}" template {TEMPLATE}')
        return self.server.url(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


# A port found free can be taken by another process before the child binds it: a child that fails
# to start while its port is now taken lost that race, and is started again on another free port.
PORT_ATTEMPTS = 5


def start_postgres(data_dir: Path, port: int | None = None) -> EmbeddedPostgres:
    """An embedded PostgreSQL in `data_dir`, on `port` or else on a free port."""
    for attempt in range(PORT_ATTEMPTS):
        server = EmbeddedPostgres(data_dir, port or free_port())
        server.stop()  # one left running by an interrupted run would hold its old port
        try:
            server.start()
            return server
        except RuntimeError:
            if port is not None or attempt == PORT_ATTEMPTS - 1 or not port_taken(server.port):
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    chosen = os.environ.get("SLUICE_TEST_PG_PORT")
    server = start_postgres(REPOSITORY / ".data" / "test-postgres", int(chosen) if chosen else None)
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


class Processes:
    """Sluice API and worker processes started by a test, all stopped at its end."""

    def __init__(self, database_url: str, env: dict[str, str] | None = None, *,
                 command: tuple[str, ...] = (sys.executable, "-m", "sluice"), cwd: Path = REPOSITORY) -> None:
        """`command` starts Sluice (another installation's `sluice` script, say), in `cwd`."""
        self.database_url = database_url
        self.command = command
        self.cwd = cwd
        # A short shutdown grace: a test's processes stop within seconds at its end, even with a job
        # still running (tests of the grace itself set their own).
        self.env = {**os.environ, "DATABASE_URL": database_url, "SLUICE_LEASE_SECONDS": "5",
                    "SLUICE_SHUTDOWN_GRACE": "2", **(env or {})}
        self.started: list[subprocess.Popen[bytes]] = []

    def _spawn(self, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([*self.command, *args], env={**self.env, **env}, cwd=self.cwd)
        self.started.append(process)
        return process

    def api(self, *args: str, **env: str) -> str:
        """Start `sluice serve` (with extra `args`, e.g. `--workers 2`) and wait until it is ready."""
        for attempt in range(PORT_ATTEMPTS):
            port = free_port()
            process = self._spawn("serve", "--port", str(port), *args, env=env)
            base_url = f"http://127.0.0.1:{port}"
            if self._ready(process, base_url):
                return base_url
            if attempt == PORT_ATTEMPTS - 1 or not port_taken(port):
                break
        raise RuntimeError("the API process exited during start-up")

    @staticmethod
    def _ready(process: subprocess.Popen[bytes], base_url: str) -> bool:
        """Whether the API answers ready; False if it exits first."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                if httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200:
                    return True
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

