"""Stopping and retrying a job, for its owner (the API and the dashboard) or the operator (the CLI)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs

from sluice.models import JobStatus
from sluice.runs.errors import Conflict, job_not_found
from sluice.store import jobs, operations


@attrs.frozen
class Stopped:
    job_id: UUID
    status: JobStatus
    # False when the job had already ended: nothing was stopped.
    cancelled: bool

    @property
    def message(self) -> str:
        if self.cancelled:
            return f"Job {self.job_id} cancelled successfully."
        return f"Job {self.job_id} is already {self.status.value}; nothing to stop."

    def answer(self) -> dict[str, str]:
        """The stop endpoint's answer."""
        return {"job_id": str(self.job_id), "status": self.status.value, "message": self.message}


async def stop(conn: Any, owner: str, job_id: UUID, lease_seconds: float) -> Stopped:
    """Cancel the owner's job unless it already ended."""
    try:
        status, cancelled = await jobs.stop(conn, job_id, owner, lease_seconds)
    except jobs.NotFound:
        raise job_not_found(job_id) from None
    return Stopped(job_id, status, cancelled)


async def retry(conn: Any, job_id: UUID, attempts: int, owner: str | None = None) -> int:
    """Queue a failed, error or timed-out job again with a fresh budget of `attempts`; returns its
    last attempt so far. `owner` limits it to that owner's jobs (None: the operator, any job)."""
    last_attempt = await operations.retry_job(conn, job_id, attempts, owner)
    if last_attempt is None:
        raise Conflict("JOB_NOT_RETRYABLE",
                       f"Job {job_id} cannot be retried: it is unknown, or not failed, error or timed_out.",
                       job_id=job_id)
    return last_attempt
