"""Workers: presence (register, heartbeat, unregister) and the listing `sluice workers` shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from sluice.store.statements import statement

# A worker that missed this many seconds of heartbeats is listed as `silent`.
SILENT_AFTER = 15.0


@attrs.frozen
class WorkerInfo:
    id: str
    hostname: str
    pid: int
    concurrency: int
    started_at: datetime
    heartbeat_age: float
    state: str
    running: tuple[UUID, ...]


async def heartbeat(conn: Any, worker_id: str, hostname: str, pid: int, concurrency: int, *,
                    stopping: bool) -> None:
    await conn.execute(statement("worker_heartbeat"), worker_id, hostname, pid, concurrency, stopping)


async def unregister(conn: Any, worker_id: str) -> None:
    await conn.execute(statement("delete_worker"), worker_id)


async def list_all(conn: Any) -> list[WorkerInfo]:
    rows = await conn.fetch(statement("list_workers"), SILENT_AFTER)
    return [WorkerInfo(row["id"], row["hostname"], row["pid"], row["concurrency"], row["started_at"],
                       row["heartbeat_age"], row["state"], tuple(row["running"])) for row in rows]
