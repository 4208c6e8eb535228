"""What the operators' dashboard reads: an owner's queue at a glance, and a page of its jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from sluice.store.statements import statement


async def job_counts(conn: Any, owner: str) -> dict[str, int]:
    return {row["status"]: row["jobs"] for row in await conn.fetch(statement("ui_job_counts"), owner)}


async def queue_by_flow(conn: Any, owner: str) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_queue_by_flow"), owner)


async def throughput(conn: Any, owner: str, minutes: int) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_throughput"), owner, minutes)


async def workers(conn: Any, owner: str, lease_seconds: float) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_workers"), owner, lease_seconds)


async def list_jobs(conn: Any, owner: str, *, status: str | None, flow_id: UUID | None,
                    before: tuple[datetime, UUID] | None, limit: int) -> list[asyncpg.Record]:
    created, job_id = before if before else (None, None)
    return await conn.fetch(statement("ui_list_jobs"), owner, status, flow_id, created, job_id, limit)
