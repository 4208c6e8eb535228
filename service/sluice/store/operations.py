"""What operators read and do from the shell: job listings through the documented views, one
job's details, and retrying a finished job."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sluice.store.statements import statement


async def list_jobs(conn: Any, *, status: str | None, flow: str | None, limit: int) -> list[dict[str, Any]]:
    return [dict(row) for row in await conn.fetch(statement("list_jobs"), status, flow, limit)]


async def inspect_job(conn: Any, job_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(statement("inspect_job"), job_id)
    return None if row is None else dict(row)


async def retry_job(conn: Any, job_id: UUID, attempts: int, owner: str | None = None) -> int | None:
    """Queue a failed, error or timed-out job again and return its last attempt; None when it is in
    another status, unknown, or (given an owner) someone else's."""
    row = await conn.fetchrow(statement("retry_job"), job_id, attempts, owner)
    return None if row is None else row["attempt"]


async def queue_totals(conn: Any) -> dict[str, int]:
    """Jobs by live status (queued, in_progress), summed over every flow."""
    return {row["status"]: row["jobs"] for row in await conn.fetch(statement("queue_totals"))}
