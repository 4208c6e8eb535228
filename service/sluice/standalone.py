"""`make run`: the whole of Sluice on one machine, for trying it out and for development.

Starts an embedded PostgreSQL (unless DATABASE_URL is set) and records where it listens for the
other `sluice` commands (sluice/discovery.py), applies migrations, imports the example flows, keeps
one API key for the `demo` owner, then runs the API and the workers as supervised child processes
(sluice/supervisor.py) and prints how to call it. A child that exits is started again, and so is
the embedded database. SIGINT or SIGTERM stops the children, then the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
from importlib.resources import files

import httpx
import orjson

from sluice import db, discovery
from sluice.embedded_db import EmbeddedPostgres
from sluice.engine.validation import runnable_document
from sluice.store import flows, keys, migrate
from sluice.supervisor import Backoff, Child, GaveUp, Supervisor

log = logging.getLogger(__name__)

DEMO_FLOWS = files("sluice") / "demo"
OWNER = "demo"
DEMO_FLOW = "echo"
READY_TIMEOUT = 60.0
DATABASE_CHECK_INTERVAL = 1.0


async def prepare(url: str) -> str:
    """Migrate, import the examples, and return the demo owner's API key (the same on every run)."""
    conn = await db.connect(url)
    try:
        await migrate.migrate(conn)
        for entry in sorted(DEMO_FLOWS.iterdir(), key=lambda entry: entry.name):
            if not entry.name.endswith(".json"):
                continue
            export = orjson.loads(entry.read_bytes())
            if await flows.read(conn, OWNER, export["endpoint_name"]) is None:
                await flows.create(conn, owner=OWNER, name=export["name"],
                                   description=export.get("description", ""),
                                   endpoint_name=export["endpoint_name"], graph=runnable_document(export))
        key_file = discovery.data_dir() / "api-key"
        if key_file.exists():
            key = key_file.read_text().strip()
            if await keys.owner_of(conn, key) == OWNER:
                return key
        key = await keys.create(conn, OWNER, "make run")
        discovery.write_private(key_file, key + "\n")
        return key
    finally:
        await conn.close()


def secret_key() -> str:
    """SLUICE_SECRET_KEY, else one made on the first run and kept in .data, so global variables work."""
    given = os.environ.get("SLUICE_SECRET_KEY")
    if given:
        return given
    key_file = discovery.data_dir() / discovery.SECRET_KEY_FILE
    if not key_file.exists():
        discovery.write_private(key_file, secrets.token_urlsafe(32) + "\n")
    return key_file.read_text().strip()


async def wait_ready(base_url: str, supervision: asyncio.Task[None]) -> None:
    """Until the API answers ready; raises what ended the supervision (GaveUp) if it ended first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT
    async with httpx.AsyncClient(timeout=1) as client:
        while loop.time() < deadline:
            if supervision.done():
                supervision.result()
                raise RuntimeError("the supervisor ended during start-up")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{base_url}/health/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the API did not become ready at {base_url} within {READY_TIMEOUT:g} s")


async def keep_database(database: EmbeddedPostgres, stopping: asyncio.Event) -> None:
    """Start the embedded PostgreSQL again whenever it stops (a crash, an OOM kill) until stopping."""
    backoff = Backoff()
    loop = asyncio.get_running_loop()
    up_since = loop.time()
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=DATABASE_CHECK_INTERVAL)
        if stopping.is_set() or await asyncio.to_thread(database.is_running):
            continue
        log.error("the embedded PostgreSQL stopped; starting it again")
        try:
            await asyncio.to_thread(database.start)
        except RuntimeError as problem:
            delay = backoff.after(loop.time() - up_since)
            log.error("starting the embedded PostgreSQL failed (%s); trying again in %.1f s", problem, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=delay)
            continue
        log.info("the embedded PostgreSQL is running again")
        up_since = loop.time()


async def serve(url: str, workers: int, concurrency: int, database: EmbeddedPostgres | None) -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    key = await prepare(url)
    env = {**os.environ, "DATABASE_URL": url, "SLUICE_SECRET_KEY": secret_key()}
    port = int(os.environ.get("SLUICE_PORT", "7860"))
    sluice = [sys.executable, "-m", "sluice"]
    supervisor = Supervisor([
        Child("api", [*sluice, "serve", "--port", str(port)], env),
        *(Child(f"worker-{n}", [*sluice, "worker", "--concurrency", str(concurrency)], env)
          for n in range(1, workers + 1)),
    ])
    supervision = asyncio.create_task(supervisor.run())
    watching = asyncio.create_task(keep_database(database, stopping)) if database is not None else None
    try:
        base_url = f"http://127.0.0.1:{port}"
        starting = asyncio.create_task(wait_ready(base_url, supervision))
        await asyncio.wait({starting, asyncio.create_task(stopping.wait())}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.is_set():
            starting.cancel()
            return 0
        starting.result()
        supervisor.ready = True
        body = '{"flow_id": "%s", "background": false, "inputs": {"ChatInput-demo.input_value": "Hello, Sluice!"}}'
        print(f"Sluice is ready at {base_url}", flush=True)
        print(f"API key: {key}", flush=True)
        print(f"curl -s -X POST {base_url}/api/v2/workflows -H 'Content-Type: application/json' "
              f"-H 'x-api-key: {key}' -d '{body % DEMO_FLOW}'", flush=True)
        await asyncio.wait({supervision, asyncio.create_task(stopping.wait())}, return_when=asyncio.FIRST_COMPLETED)
        return 0
    except (GaveUp, RuntimeError) as problem:
        log.error("Sluice could not start: %s", problem)
        return 1
    finally:
        stopping.set()
        supervisor.stop()
        with contextlib.suppress(GaveUp, RuntimeError):
            await supervision
        if watching is not None:
            await watching


def main(workers: int = 2, concurrency: int = 8) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per readiness probe
    discovery.data_dir().mkdir(exist_ok=True)
    database: EmbeddedPostgres | None = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        database = EmbeddedPostgres(discovery.data_dir() / "postgres", int(os.environ.get("SLUICE_PG_PORT", "54329")))
        database.start()
        database.create_database("sluice")
        url = database.url("sluice")
        discovery.record(url)
    try:
        return asyncio.run(serve(url, workers, concurrency, database))
    finally:
        if database is not None:
            database.stop()
