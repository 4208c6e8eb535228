"""Expires the pauses of suspended jobs nobody answered in time: the fallback branch where the node
has one, else the job ends `timed_out`. Every worker runs it; the deadline is in the database, so a
pause that expired while no process ran is handled by the first worker to start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from sluice import db
from sluice.models import Event, ExecutionError, ExecutionResponse, JobStatus
from sluice.store import jobs, pauses
from sluice.store.jobs import Transition

log = logging.getLogger(__name__)

EXPIRY_INTERVAL = 1.0
# The decision a pause takes when its deadline passes and the node offers a fallback branch.
FALLBACK = {"action_id": "fallback", "reason": "timeout"}


async def expire_pauses(pool: asyncpg.Pool, lease_seconds: float, wake: Callable[[], None]) -> None:
    while True:
        try:
            moved = await expire(pool, lease_seconds)
        except db.ERRORS as error:
            log.warning("expiring paused jobs failed: %s", error)
            moved = 0
        if moved:
            log.info("%d paused job(s) reached their deadline", moved)
            wake()
        await asyncio.sleep(EXPIRY_INTERVAL)


async def expire(pool: asyncpg.Pool, lease_seconds: float, limit: int = 100) -> int:
    """Pauses whose deadline passed, moved on; returns how many jobs moved. Racing another process
    over a job is harmless."""
    moved = 0
    for waiting in await pauses.expired(pool, limit):
        if waiting.request.get("fallback_action"):
            event = {"status": JobStatus.QUEUED.value, "reason": "timeout", "action_id": FALLBACK["action_id"]}
            moved += await pauses.resume(pool, waiting.job_id, None, waiting.request_id, FALLBACK, event)
            continue
        stored = await jobs.read(pool, waiting.job_id, waiting.owner)
        if stored is None or stored.job.status is not JobStatus.SUSPENDED:
            continue
        job = stored.job
        error = ExecutionError(error="Nobody answered the Human Input request in time.", code="HUMAN_INPUT_TIMEOUT",
                               details={"request_id": waiting.request_id})
        response = ExecutionResponse.of(job, JobStatus.TIMED_OUT, errors=(error,))
        events = (Event("status", {"status": JobStatus.TIMED_OUT.value, "reason": "human_input_timeout"}),
                  Event("end", response))
        change = Transition(job.id, job.attempt, JobStatus.SUSPENDED, job.event_seq, JobStatus.TIMED_OUT, events,
                            error_code="HUMAN_INPUT_TIMEOUT")
        moved += len(await jobs.transition(pool, [change], lease_seconds))
    return moved
