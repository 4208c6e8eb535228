"""Suspended runs (Human Input nodes): listing what waits for a person, answering it, and what
happens when nobody answers in time (the fallback branch, else `timed_out`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from sluice.convert import iso_timestamp
from sluice.engine.inputs import session_id
from sluice.models import JobStatus
from sluice.runs.errors import Conflict, InvalidDecision, job_not_found
from sluice.store import jobs, pauses


async def pending(pool: asyncpg.Pool, owner: str, flow_id: UUID) -> list[dict[str, Any]]:
    """The owner's suspended jobs of a flow, each with the request it waits on (1.13's shape)."""
    return [{
        "job_id": str(waiting.job_id),
        "flow_id": str(waiting.flow_id),
        "session_id": session_id(waiting.inputs) or str(waiting.job_id),
        "created_at": iso_timestamp(waiting.created_at),
        "request_id": waiting.request.get("request_id"),
        "kind": waiting.request.get("kind"),
        "prompt": waiting.request.get("prompt"),
        "options": waiting.request.get("options") or [],
        "allowed_decisions": waiting.request.get("allowed_decisions") or [],
        "timeout_seconds": waiting.request.get("timeout_seconds"),
        "deadline": iso_timestamp(waiting.deadline) if waiting.deadline else None,
    } for waiting in await pauses.pending(pool, owner, flow_id)]


async def resume(pool: asyncpg.Pool, owner: str, job_id: UUID, request_id: str,
                 decision: Mapping[str, Any]) -> dict[str, str]:
    """Answer the owner's suspended job with `decision` (`{action_id, values?}`) and queue it again."""
    stored = await jobs.read(pool, job_id, owner)
    if stored is None:
        raise job_not_found(job_id)
    pause = await pauses.read(pool, job_id)
    if pause is not None and decision.get("action_id") not in pause.request.get("allowed_decisions", []):
        raise InvalidDecision("INVALID_DECISION", "The decision's action_id is not one of the request's "
                              f"allowed_decisions: {', '.join(pause.request.get('allowed_decisions', []))}.",
                              job_id=job_id)
    event = {"status": JobStatus.QUEUED.value, "reason": "resumed", "action_id": decision.get("action_id")}
    if pause is None or not await pauses.resume(pool, job_id, owner, request_id, decision, event):
        raise Conflict("NOT_RESUMABLE", "The job is not suspended, was resumed already, or the request_id is stale.",
                       job_id=job_id)
    return {"job_id": str(job_id), "status": "resuming", "message": "Resume accepted."}


