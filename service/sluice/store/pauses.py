"""Pauses of suspended jobs (Human Input nodes): saved by the worker, answered by a resume or by
their deadline, read by the run that continues them (sql/save_pause.sql, resume_job.sql, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from sluice.store.statements import statement


@attrs.frozen
class Pause:
    request_id: str
    request: Mapping[str, Any]
    checkpoint: dict[str, dict[str, Any]]
    decision: Mapping[str, Any] | None
    deadline: datetime | None


@attrs.frozen
class Pending:
    """A suspended job waiting on its request."""

    job_id: UUID
    flow_id: UUID
    created_at: datetime
    inputs: Mapping[str, Any]
    request: Mapping[str, Any]
    deadline: datetime | None


@attrs.frozen
class Expired:
    job_id: UUID
    owner: str
    request_id: str
    request: Mapping[str, Any]


async def save(conn: Any, job_id: UUID, request: Mapping[str, Any], checkpoint: Mapping[str, Any],
               deadline: datetime | None) -> None:
    await conn.execute(statement("save_pause"), job_id, request["request_id"], request, checkpoint, deadline)


async def read(conn: Any, job_id: UUID) -> Pause | None:
    row = await conn.fetchrow(statement("read_pause"), job_id)
    return None if row is None else Pause(row["request_id"], row["request"], row["checkpoint"], row["decision"],
                                          row["deadline"])


async def resume(conn: Any, job_id: UUID, owner: str | None, request_id: str, decision: Mapping[str, Any],
                 event: Mapping[str, Any]) -> bool:
    """Answer the pause and queue the job; False when it is not suspended on that request."""
    return await conn.fetchrow(statement("resume_job"), job_id, owner, request_id, decision, event) is not None


async def pending(conn: Any, owner: str, flow_id: UUID) -> list[Pending]:
    rows = await conn.fetch(statement("list_pending"), owner, flow_id)
    return [Pending(row["id"], row["flow_id"], row["created_at"], row["inputs"], row["request"], row["deadline"])
            for row in rows]


async def expired(conn: Any, limit: int) -> list[Expired]:
    rows = await conn.fetch(statement("expired_pauses"), limit)
    return [Expired(row["job_id"], row["owner"], row["request_id"], row["request"]) for row in rows]
