"""Polling helpers for tests that watch jobs change state (tests may poll; the product may not)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson

from sluice.store import jobs

TERMINAL = {"completed", "failed", "error", "cancelled", "timed_out"}


async def job_status(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await client.get("/api/v2/workflows", params={"job_id": job_id})
    assert response.status_code == 200, response.text
    return response.json()


async def wait_for_status(client: httpx.AsyncClient, job_id: str, statuses: set[str] | str,
                          timeout: float = 30) -> dict[str, Any]:
    wanted = {statuses} if isinstance(statuses, str) else statuses
    deadline = time.monotonic() + timeout
    while True:
        body = await job_status(client, job_id)
        if body["status"] in wanted:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is {body['status']}, not {wanted}, after {timeout}s")
        await asyncio.sleep(0.05)


async def wait_for_row(pool: Any, query: str, *args: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await pool.fetchval(query, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no row for {query!r} after {timeout}s")
        await asyncio.sleep(0.05)


async def wait_until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 10) -> None:
    """Poll `check` until it holds: for effects another process shows once a signal reached it."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not so after {timeout}s")
        await asyncio.sleep(0.05)


async def logged_statuses(pool: Any, job_id: str | uuid.UUID) -> list[dict[str, Any]]:
    """The data of a job's status events as its log reads (the implied ones included), in order."""
    log = await jobs.read_events(pool, uuid.UUID(str(job_id)), 0, 1000)
    assert [event.seq for event in log] == list(range(1, len(log) + 1)), "the log has a gap"
    return [orjson.loads(event.data) for event in log if event.type == "status"]
