"""Load for fault scenarios: clients that keep submitting runs of a model flow while faults happen,
and the checks every scenario ends with (no job lost, none duplicated, none mixed up)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import attrs
import httpx

import starters
from conftest import Processes
from fake_openai import FakeOpenAI
from sluice.store import jobs

# The flow under load: Chat Input -> Prompt -> Language Model -> Chat Output, whose model call goes
# to the fake server and takes `MODEL_DELAY` seconds; its answer echoes the unique input.
FLOW = "Basic Prompting.json"
INPUT_KEY = "ChatInput-b6UCc.input_value"
OUTPUT = "ChatOutput-yK0AU"
MODEL_DELAY = 0.05
FULL = os.environ.get("SLUICE_FAULTS") == "full"
TERMINAL = ("completed", "failed", "error", "cancelled", "timed_out")


def scale(short: int, full: int) -> int:
    """How much of a scenario to run: `make faults` runs the full form, `make test` the short one."""
    return full if FULL else short


@attrs.define
class Load:
    base_url: str
    key: str
    flow_id: str
    # Every job the API accepted, with the unique text its output must echo.
    accepted: dict[str, str] = attrs.field(factory=dict)
    statuses: dict[int, int] = attrs.field(factory=dict)
    server_errors: int = 0
    # The flow's input field and output node, and what its output is made of the input text.
    input_key: str = INPUT_KEY
    output: str = OUTPUT
    answer_prefix: str = "echo: "
    # Clients that each wait for their run, rather than half of them submitting in the background.
    all_waiting: bool = False

    async def client_loop(self, stop: asyncio.Event, number: int) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, headers={"x-api-key": self.key}, timeout=60) as http:
            sent = 0
            while not stop.is_set():
                text = f"client {number} run {sent} {uuid.uuid4().hex[:8]}"
                # Half the clients submit in the background and half wait for their runs.
                await self.submit(http, text, background=not self.all_waiting and number % 2 == 0)
                sent += 1

    async def submit(self, http: httpx.AsyncClient, text: str, background: bool) -> None:
        """Submit until accepted, as a client that retries on 503 and dropped connections does."""
        body = {"flow_id": self.flow_id, "background": background, "inputs": {self.input_key: text}}
        for _ in range(600):
            try:
                response = await http.post("/api/v2/workflows", json=body)
            except httpx.TransportError:
                await asyncio.sleep(0.1)
                continue
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500 and response.status_code != 503:
                self.server_errors += 1
            if response.status_code == 200:
                self.accepted[response.json()["job_id"]] = text
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"a submission was never accepted: {body}")

    @contextlib.asynccontextmanager
    async def running(self, clients: int = 4) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self.client_loop(stop, n)) for n in range(clients)]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)


@attrs.frozen
class Report:
    scenario: str
    submitted: int
    completed: int
    lost: int
    duplicated: int
    mixed_up: int
    broken_logs: int
    drained_after: float
    # A few of the jobs that broke a rule, with their status and end event, to debug from the report.
    examples: tuple[str, ...] = ()

    def line(self) -> str:
        return (f"| {self.scenario} | {self.submitted} | {self.completed} | {self.lost} | {self.duplicated} | "
                f"{self.mixed_up} | {self.broken_logs} | {self.drained_after:.1f} s |")


async def check_every_job(pool: asyncpg.Pool, load: Load, scenario: str, timeout: float = 120) -> Report:
    """Wait for every accepted job to end, then check each: completed, with its own output, one end
    event, a gap-free log ending in `end`. Returns the figures; the caller asserts on them."""
    ids = [uuid.UUID(job_id) for job_id in load.accepted]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        unfinished = await pool.fetchval(
            "select count(*) from jobs where id = any($1) and status <> all($2)", ids, list(TERMINAL))
        if unfinished == 0:
            break
        await asyncio.sleep(0.2)
    drained_after = time.monotonic() - started
    rows = await pool.fetch("""
        select j.id, j.status,
               count(*) filter (where e.type = 'end') as ends,
               max(e.data -> 'outputs' -> $2 ->> 'content') filter (where e.type = 'end') as answer,
               max(e.data::text) filter (where e.type = 'end') as end_event
        from jobs j join job_events e on e.job_id = j.id
        where j.id = any($1)
        group by j.id, j.status
    """, ids, load.output)
    found = {str(row["id"]): row for row in rows}
    # The log as every reader reads it (the implied status events included): numbered 1, 2, 3...
    # without a gap, and ending with its one `end`.
    logs = [await jobs.read_events(pool, row["id"], 0, 100_000) for row in rows]
    completed = sum(1 for row in rows if row["status"] == "completed")
    examples = tuple(f"{job_id} {found[job_id]['status']} {found[job_id]['end_event']}"[:600]
                     for job_id, text in load.accepted.items()
                     if job_id in found and found[job_id]["answer"] != load.answer_prefix + text)[:3]
    return Report(
        scenario=scenario,
        submitted=len(ids),
        completed=completed,
        lost=len(ids) - completed,
        duplicated=sum(1 for row in rows if row["ends"] > 1),
        mixed_up=sum(1 for job_id, text in load.accepted.items()
                     if job_id in found and found[job_id]["answer"] != load.answer_prefix + text),
        broken_logs=sum(1 for log in logs
                        if [event.seq for event in log] != list(range(1, len(log) + 1)) or log[-1].type != "end"),
        drained_after=drained_after,
        examples=examples,
    )


def assert_nothing_lost(report: Report) -> None:
    print(report.line())
    assert report.submitted > 0
    assert (report.lost, report.duplicated, report.mixed_up, report.broken_logs) == (0, 0, 0, 0), report


@attrs.define
class FaultService:
    """API and workers of a fault scenario, over one database, with the fake model behind them."""

    processes: Processes
    base_url: str
    pool: asyncpg.Pool
    key: str
    flow_id: str
    workers: list[Any]

    def load(self) -> Load:
        return Load(self.base_url, self.key, self.flow_id)


@contextlib.asynccontextmanager
async def fault_service(database_url: str, fake: FakeOpenAI, workers: int = 3,
                        env: dict[str, str] | None = None) -> AsyncIterator[FaultService]:
    from sluice import db
    from sluice.store import keys

    processes = Processes(database_url, {**fake.env(), "SLUICE_LEASE_SECONDS": "2", **(env or {})})
    pool = await db.create_pool(database_url, min_size=1, max_size=4)
    try:
        base_url = processes.api()
        started = [processes.worker(concurrency=8) for _ in range(workers)]
        key = await keys.create(pool, f"faults-{uuid.uuid4().hex[:6]}")
        async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": key}, timeout=30) as http:
            flow = (await http.post("/api/v1/flows/", json=starters.load(FLOW))).json()
        yield FaultService(processes, base_url, pool, key, flow["id"], started)
    finally:
        processes.close()
        await pool.close()
