"""`make run` itself (`sluice up`), as a new user runs it: no DATABASE_URL anywhere.

The README's commands work beside it; a worker SIGKILLed under load and the embedded PostgreSQL
crashed (`pg_ctl -m immediate`) lose no job, while the API answers throughout; a killed API comes
back; a child that cannot start is reported with its own last lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import attrs
import httpx
import pytest
from load import Load, assert_nothing_lost, check_every_job, scale

import flowkit
from conftest import free_port
from jobwait import wait_for_row
from sluice import db
from sluice.embedded_db import EmbeddedPostgres

# `sluice up` itself, its children and its PostgreSQL, killed and restarted.
pytestmark = pytest.mark.integration

SLEEP_INPUT = "ChatInput-in.input_value"
SLEEP_OUTPUT = "ChatOutput-out"


def clean_env(**extra: str) -> dict[str, str]:
    """The user's environment: no database, no secret key, no data directory set."""
    unset = ("DATABASE_URL", "SLUICE_SECRET_KEY", "SLUICE_DATA_DIR", "SLUICE_LISTEN_DATABASE_URL")
    return {key: value for key, value in os.environ.items() if key not in unset} | extra


@attrs.define
class Up:
    process: subprocess.Popen[str]
    directory: Path
    base_url: str
    key: str
    pg_port: int
    log: Path

    @property
    def database_file(self) -> Path:
        return self.directory / ".data" / "database-url"

    def sluice(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sluice", *args], cwd=cwd or self.directory, env=clean_env(),
                              capture_output=True, text=True, timeout=60)

    def children(self, command: str) -> list[int]:
        """Pids of `sluice up`'s children running `sluice <command>`."""
        found = []
        for entry in Path("/proc").iterdir():
            with contextlib.suppress(OSError, IndexError):
                if entry.name.isdigit() and (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(
                        self.process.pid) and f"\0{command}\0" in (entry / "cmdline").read_text():
                    found.append(int(entry.name))
        return found

    def database(self) -> EmbeddedPostgres:
        return EmbeddedPostgres(self.directory / ".data" / "postgres", self.pg_port)


def start_up(directory: Path, api_port: int | None = None, **env: str) -> tuple[subprocess.Popen[str], int, int, Path]:
    api_port, pg_port = api_port or free_port(), free_port()
    log = directory / "up.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "sluice", "up"], cwd=directory,
        env=clean_env(SLUICE_PORT=str(api_port), SLUICE_PG_PORT=str(pg_port), **env),
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
    return process, api_port, pg_port, log


def stop_up(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    directory = tmp_path_factory.mktemp("make-run")
    # Short leases, so the jobs of a killed worker are taken over within seconds.
    process, api_port, pg_port, log = start_up(directory, SLUICE_LEASE_SECONDS="2")
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(2)]
        assert lines[0] == f"Sluice is ready at http://127.0.0.1:{api_port}", log.read_text()[-3000:]
        yield Up(process, directory, f"http://127.0.0.1:{api_port}", lines[1].removeprefix("API key: "),
                 pg_port, log)
    finally:
        assert stop_up(process) == 0, log.read_text()[-3000:]


@pytest.fixture(scope="module")
async def pool(up: Up) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the database `sluice up` recorded for the other commands."""
    created = await db.create_pool(up.database_file.read_text().strip(), min_size=1, max_size=4)
    yield created
    await created.close()


async def test_readme_commands_work_beside_make_run_without_database_url(up, tmp_path):
    assert stat.S_IMODE(up.database_file.stat().st_mode) == 0o600

    created = up.sluice("keys", "create", "--owner", "bob")
    assert created.returncode == 0, created.stderr
    bob = created.stdout.strip().splitlines()[-1]
    async with httpx.AsyncClient(base_url=up.base_url, headers={"x-api-key": bob}) as client:
        assert (await client.get("/api/v1/flows/")).status_code == 200  # the key is in the API's database

    stored = up.sluice("variables", "set", "--owner", "bob", "OPENAI_API_KEY", "sk-test-value")
    assert stored.returncode == 0, stored.stderr
    assert "OPENAI_API_KEY" in up.sluice("variables", "list", "--owner", "bob").stdout

    listed = up.sluice("jobs", "list", "--verbose")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[:3] == ["job_id", "flow_name", "status"]
    assert f"(from {up.database_file})" in listed.stderr

    workers = json.loads(up.sluice("workers", "--json").stdout)
    assert sorted(worker["pid"] for worker in workers if worker["state"] == "live") == sorted(up.children("worker"))

    status = up.sluice("status")
    assert status.returncode == 0, status.stderr
    assert f"127.0.0.1:{up.pg_port}/sluice (from {up.database_file})" in status.stdout
    assert "2 live" in status.stdout

    elsewhere = up.sluice("jobs", "list", cwd=tmp_path)
    assert elsewhere.returncode == 1
    assert "DATABASE_URL" in elsewhere.stderr and "make run" in elsewhere.stderr
    assert "Traceback" not in elsewhere.stderr


async def kill_workers_until_a_job_is_taken_over(up: Up, pool: asyncpg.Pool, kills: int = 3) -> None:
    """SIGKILL a worker with a job in flight, as the OOM killer would, until one of its jobs completes
    on a later attempt. A job of 0.2 s can finish between the query that found it running and the
    kill; then that kill stranded nothing, and another worker is killed."""
    for kill in range(kills):
        workers_before = up.children("worker")
        victim = await wait_for_row(pool, """
            select w.pid from workers w join jobs j on j.worker_id = w.id and j.status = 'in_progress' limit 1""")
        os.kill(victim, signal.SIGKILL)
        await wait_for_row(pool, "select count(*) from workers where pid <> all($1::int[])", workers_before)
        assert len(up.children("worker")) == 2
        try:
            await wait_for_row(pool, "select count(*) from jobs where status = 'completed' and attempt > 1",
                               timeout=15)
            return
        except AssertionError:
            if kill == kills - 1:
                raise


async def test_killed_worker_and_crashed_database_lose_no_job_and_the_api_answers_throughout(up, pool):
    async with httpx.AsyncClient(base_url=up.base_url, headers={"x-api-key": up.key}, timeout=30) as client:
        flow = (await client.post("/api/v1/flows/", json=flowkit.sleep_flow(0.2, name="Under load"))).json()
    load = Load(up.base_url, up.key, flow["id"], input_key=SLEEP_INPUT, output=SLEEP_OUTPUT, answer_prefix="",
                all_waiting=True)
    health = HealthProbe(up.base_url)
    async with health.running(), load.running(clients=8):
        # A worker with jobs in flight, killed as the OOM killer would.
        await wait_for_row(pool, "select count(*) >= $1 from jobs where status = 'completed'", scale(20, 300))
        await kill_workers_until_a_job_is_taken_over(up, pool)

        # The database crashes. Its port is then taken by a listener that drops every connection, so
        # that `sluice up` cannot start it again until the outage has been looked at.
        await asyncio.to_thread(up.database().stop, "immediate")
        crashed = time.monotonic()
        with RefusingPort(up.pg_port):
            outage = await observe_outage(up.base_url, up.key, flow["id"])
        released = time.monotonic()
        await health.wait_ready()
        recovered = time.monotonic()
        await pool.expire_connections()
        done_before = await pool.fetchval("select count(*) from jobs where status = 'completed'")
        await wait_for_row(pool, "select count(*) >= $1::int + $2::int from jobs where status = 'completed'",
                           done_before, scale(20, 300), timeout=120)
        runs_again = time.monotonic()
    report = await check_every_job(pool, load, "sluice up: SIGKILL a worker, then crash PostgreSQL")
    retried = await pool.fetchval("select count(*) from jobs where id = any($1::uuid[]) and attempt > 1",
                                  list(load.accepted))
    print(f"outage: /health/ready 503 in {outage['ready_seconds']:.3f} s, run 503 in {outage['run_seconds']:.3f} s; "
          f"ready again {recovered - released:.1f} s after the port was freed ({recovered - crashed:.1f} s after "
          f"the crash), jobs completing again {runs_again - released:.1f} s after; /health probes "
          f"{health.answered} answered, {health.failed} failed; {retried} jobs retried")
    assert_nothing_lost(report)
    assert retried > 0, "no job was running when its worker was killed: the scenario tested nothing"
    assert load.server_errors == 0, load.statuses
    assert health.failed == 0 and health.answered > 0
    assert outage["ready"] == (503, "DATABASE_UNAVAILABLE")
    assert outage["run"] == (503, "DATABASE_UNAVAILABLE")
    assert outage["health"] == 200
    log = up.log.read_text()
    assert "killed by SIGKILL" in log and "the embedded PostgreSQL is running again" in log


async def test_a_killed_api_process_is_started_again(up):
    [api] = up.children("serve")
    os.kill(api, signal.SIGKILL)
    probe = HealthProbe(up.base_url)
    await probe.wait_ready()
    assert up.children("serve") not in ([], [api])
    async with httpx.AsyncClient(base_url=up.base_url, headers={"x-api-key": up.key}, timeout=30) as client:
        answer = await client.post("/api/v2/workflows", json={
            "flow_id": "echo", "inputs": {"ChatInput-demo.input_value": "after the restart"}})
    assert answer.json()["outputs"]["ChatOutput-demo"]["content"] == "after the restart"
    assert "api killed by SIGKILL" in up.log.read_text()


def test_a_child_that_keeps_crashing_at_start_up_is_reported_with_its_last_lines(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process, _, _, log = start_up(tmp_path, api_port=taken.getsockname()[1])
        try:
            code = process.wait(timeout=120)
        finally:
            stop_up(process)
    assert process.stdout is not None
    printed = process.stdout.read()
    text = log.read_text()
    assert code == 1
    assert "Sluice is ready" not in printed
    assert re.search(r"api exited with code \d+ at start-up 3 times in a row; its last lines:", text), text
    assert "address already in use" in text.split("its last lines:")[-1]
    assert not EmbeddedPostgres(tmp_path / ".data" / "postgres", 0).is_running()


class RefusingPort:
    """Holds 127.0.0.1:`port` so no server can take it, closing every connection at once (as a
    stopped server refuses them), until the block ends."""

    def __init__(self, port: int) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen()
        self._socket.settimeout(0.05)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._refuse, daemon=True)

    def __enter__(self) -> RefusingPort:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._closed.set()
        self._thread.join()
        self._socket.close()

    def _refuse(self) -> None:
        while not self._closed.is_set():
            with contextlib.suppress(TimeoutError):
                connection, _ = self._socket.accept()
                connection.close()


async def observe_outage(base_url: str, key: str, flow_id: str) -> dict[str, object]:
    """What the API answers while its database is down, and how long each answer took."""
    async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": key}, timeout=30) as client:
        started = time.monotonic()
        ready = await client.get("/health/ready")
        ready_seconds = time.monotonic() - started
        started = time.monotonic()
        run = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "inputs": {SLEEP_INPUT: "outage"}})
        run_seconds = time.monotonic() - started
        health = await client.get("/health")
    return {"ready": (ready.status_code, ready.json().get("code")), "ready_seconds": ready_seconds,
            "run": (run.status_code, run.json().get("code")), "run_seconds": run_seconds,
            "health": health.status_code}


@attrs.define
class HealthProbe:
    """Asks `/health` ten times a second and counts the answers: the API process must never go away."""

    base_url: str
    answered: int = 0
    failed: int = 0

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        stop = asyncio.Event()

        async def probe() -> None:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as client:
                while not stop.is_set():
                    try:
                        ok = (await client.get("/health")).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    self.answered += ok
                    self.failed += not ok
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=0.1)

        task = asyncio.create_task(probe())
        try:
            yield
        finally:
            stop.set()
            await task

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as client:
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/health/ready")).status_code == 200:
                        return
                assert time.monotonic() < deadline, "the API did not become ready again"
                await asyncio.sleep(0.1)
