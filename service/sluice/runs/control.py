"""Stopping and retrying a job, for its owner (the API and the dashboard) or the operator (the CLI)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from sluice.runs.errors import Conflict, job_not_found
from sluice.store import jobs, operations


async def stop(pool: asyncpg.Pool, owner: str, job_id: UUID, lease_seconds: float) -> dict[str, str]:
    """Cancel the owner's job unless it already ended; answers what happened, in the stop
    endpoint's shape."""
    try:
        status, cancelled = await jobs.stop(pool, job_id, owner, lease_seconds)
    except jobs.NotFound:
        raise job_not_found(job_id) from None
    if cancelled:
        return {"job_id": str(job_id), "status": status.value, "message": f"Job {job_id} cancelled successfully."}
    return {"job_id": str(job_id), "status": status.value,
            "message": f"Job {job_id} is already {status.value}; nothing to stop."}


async def retry(pool: asyncpg.Pool, job_id: UUID, attempts: int, owner: str | None = None) -> int:
    """Queue a failed, error or timed-out job again with a fresh budget of `attempts`; returns its
    last attempt so far. `owner` limits it to that owner's jobs (None: the operator, any job)."""
    last_attempt = await operations.retry_job(pool, job_id, attempts, owner)
    if last_attempt is None:
        raise Conflict("JOB_NOT_RETRYABLE",
                       f"Job {job_id} cannot be retried: it is unknown, or not failed, error or timed_out.",
                       job_id=job_id)
    return last_attempt
