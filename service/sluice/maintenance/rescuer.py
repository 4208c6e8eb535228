"""Rescues jobs whose worker stopped renewing its lease: back to the queue, or `error` when the
job has used up its attempts (`WORKER_LOST`). Every worker runs it; the fence on each job's event
sequence makes two rescuers racing for one job harmless."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from sluice import db
from sluice.models import Event, ExecutionError, ExecutionResponse, Job, JobStatus
from sluice.store import jobs
from sluice.store.jobs import Transition

log = logging.getLogger(__name__)

RESCUE_INTERVAL = 1.0
RESCUE_BATCH = 100


def rescue_transition(job: Job) -> Transition:
    if job.attempt < job.max_attempts:
        event = Event("status", {"status": JobStatus.QUEUED.value, "reason": "worker_lost",
                                 "attempt": job.attempt})
        return Transition(job.id, job.attempt, JobStatus.IN_PROGRESS, job.event_seq, JobStatus.QUEUED,
                          (event,))
    error = ExecutionError(
        error=f"The job's worker was lost on each of its {job.attempt} attempts.", code="WORKER_LOST"
    )
    response = ExecutionResponse.of(job, JobStatus.ERROR, errors=(error,))
    events = (Event("status", {"status": JobStatus.ERROR.value, "reason": "worker_lost", "attempt": job.attempt}),
              Event("end", response))
    return Transition(job.id, job.attempt, JobStatus.IN_PROGRESS, job.event_seq, JobStatus.ERROR,
                      events, error_code="WORKER_LOST")


async def rescue_expired(pool: asyncpg.Pool, lease_seconds: float, on_rescued: Callable[[], None]) -> None:
    """Every second, put back (or end) the jobs whose lease ran out; `on_rescued` when some moved."""
    while True:
        await asyncio.sleep(RESCUE_INTERVAL)
        try:
            expired = await jobs.find_expired_leases(pool, RESCUE_BATCH)
            if not expired:
                continue
            moved = await jobs.transition(pool, [rescue_transition(job) for job in expired], lease_seconds)
        except db.ERRORS as error:
            log.warning("rescuing expired jobs failed: %s", error)
            continue
        if moved:
            log.info("rescued %d job(s) whose worker was lost", len(moved))
            on_rescued()
