"""What the dashboard reads: an owner's queue at a glance, its recent history bucketed for charts,
the workers serving it, and a page of its jobs. Every query over history takes the start of a
window, so it reads a range of a partial index rather than the whole table."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from sluice.store.statements import statement


async def job_counts(conn: Any, owner: str, since: datetime) -> dict[str, int]:
    rows = await conn.fetch(statement("ui_job_counts"), owner, since)
    return {row["status"]: row["jobs"] for row in rows}


async def queue_by_flow(conn: Any, owner: str) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_queue_by_flow"), owner)


async def finished_by_status(conn: Any, owner: str, since: datetime, step: timedelta) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_finished_by_status"), owner, since, step)


async def latency(conn: Any, owner: str, since: datetime, step: timedelta) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_latency"), owner, since, step)


async def queue_depth(conn: Any, owner: str, since: datetime, step: timedelta) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_queue_depth"), owner, since, step)


async def failure_by_flow(conn: Any, owner: str, since: datetime) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_failure_by_flow"), owner, since)


async def worker_activity(conn: Any, owner: str, since: datetime) -> list[asyncpg.Record]:
    return await conn.fetch(statement("ui_worker_activity"), owner, since)


async def list_jobs(conn: Any, owner: str, *, status: str | None, flow_id: UUID | None,
                    before: tuple[datetime, UUID] | None, limit: int) -> list[asyncpg.Record]:
    created, job_id = before if before else (None, None)
    return await conn.fetch(statement("ui_list_jobs"), owner, status, flow_id, created, job_id, limit)
