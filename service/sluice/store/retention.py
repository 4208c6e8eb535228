"""Retention: finished jobs, with their inputs, events and files, deleted in small batches."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs

from sluice.store.statements import statement

# Names the retention lock among advisory locks (next to the migration lock, 5_117_200_001).
RETENTION_LOCK = 5_117_200_003
# Jobs per batch: each batch is one short transaction, so it never holds locks for long.
BATCH = 100
# Between batches, so that pruning a large backlog leaves the database room for the queue.
PAUSE = 0.05


@attrs.frozen
class Pruned:
    jobs: int = 0
    events: int = 0
    files: int = 0

    def __add__(self, other: Pruned) -> Pruned:
        return Pruned(self.jobs + other.jobs, self.events + other.events, self.files + other.files)


async def prune_batch(conn: Any, days: float, limit: int = BATCH) -> tuple[bool, Pruned]:
    """One batch; the flag is False when another batch held the cluster-wide lock."""
    row = await conn.fetchrow(statement("prune_jobs"), days, limit, RETENTION_LOCK)
    return row["held"], Pruned(row["jobs"], row["events"], row["files"])


async def prune(conn: Any, days: float, *, wait_for_lock: bool, batch: int = BATCH, pause: float = PAUSE) -> Pruned:
    """Delete every job that finished more than `days` ago, batch by batch, then vacuum the tables
    if anything went.

    Without `wait_for_lock`, finding the lock taken ends the round: someone else is pruning.
    """
    total = Pruned()
    while True:
        held, pruned = await prune_batch(conn, days, batch)
        if not held and not wait_for_lock:
            break
        total += pruned
        if held and pruned.jobs < batch:
            break
        await asyncio.sleep(pause)
    if total.jobs:
        # Makes the deleted rows' space reusable at once. Autovacuum would too, but only once it
        # comes round (every minute at most), and a busy queue fills the tables anew meanwhile.
        await conn.execute(statement("vacuum_job_tables"))
    await conn.execute(statement("prune_workers"))
    return total
