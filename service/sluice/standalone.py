"""`make run`: the whole of Sluice on one machine, for trying it out and for development.

Starts an embedded PostgreSQL (unless DATABASE_URL is set), applies migrations, imports the example
flows, keeps one API key for the `demo` owner, then runs the API and the workers as child
processes and prints how to call it. SIGINT or SIGTERM stops the children, then the database.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import httpx
import orjson

from sluice import db
from sluice.embedded_db import EmbeddedPostgres
from sluice.engine.validation import runnable_document
from sluice.store import flows, keys, migrate

# `make run` starts from the checkout, so its data lands in the checkout's git-ignored `.data/`.
DATA = Path(os.environ.get("SLUICE_DATA_DIR") or Path.cwd() / ".data")
DEMO_FLOWS = files("sluice") / "demo"
OWNER = "demo"
DEMO_FLOW = "echo"


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
        key_file = DATA / "api-key"
        if key_file.exists():
            key = key_file.read_text().strip()
            if await keys.owner_of(conn, key) == OWNER:
                return key
        key = await keys.create(conn, OWNER, "make run")
        key_file.write_text(key + "\n")
        key_file.chmod(0o600)
        return key
    finally:
        await conn.close()


def secret_key() -> str:
    """SLUICE_SECRET_KEY, else one made on the first run and kept in .data, so global variables work."""
    given = os.environ.get("SLUICE_SECRET_KEY")
    if given:
        return given
    key_file = DATA / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32) + "\n")
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def wait_ready(base_url: str, children: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise RuntimeError("a Sluice process exited during start-up; see its output above")
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the API did not become ready at {base_url}")


def stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 35
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(workers: int = 2, concurrency: int = 8) -> int:
    DATA.mkdir(exist_ok=True)
    database: EmbeddedPostgres | None = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        database = EmbeddedPostgres(DATA / "postgres", int(os.environ.get("SLUICE_PG_PORT", "54329")))
        database.start()
        database.create_database("sluice")
        url = database.url("sluice")
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    children: list[subprocess.Popen[bytes]] = []
    try:
        key = asyncio.run(prepare(url))
        env = {**os.environ, "DATABASE_URL": url, "SLUICE_SECRET_KEY": secret_key()}
        port = int(os.environ.get("SLUICE_PORT", "7860"))
        sluice = [sys.executable, "-m", "sluice"]
        children.append(subprocess.Popen([*sluice, "serve", "--port", str(port)], env=env))
        for _ in range(workers):
            children.append(subprocess.Popen([*sluice, "worker", "--concurrency", str(concurrency)], env=env))
        base_url = f"http://127.0.0.1:{port}"
        wait_ready(base_url, children)
        body = '{"flow_id": "%s", "background": false, "inputs": {"ChatInput-demo.input_value": "Hello, Sluice!"}}'
        print(f"Sluice is ready at {base_url}", flush=True)
        print(f"API key: {key}", flush=True)
        print(f"curl -s -X POST {base_url}/api/v2/workflows -H 'Content-Type: application/json' "
              f"-H 'x-api-key: {key}' -d '{body % DEMO_FLOW}'", flush=True)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
        return 0 if stopping else 1
    finally:
        stop_children(children)
        if database is not None:
            database.stop()
