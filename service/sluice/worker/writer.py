"""Job transitions of one worker, written by group commit (sluice/batching.py): what its jobs
write at about the same time goes in one statement.

Each job awaits its own write before making the next, so a batch never holds two transitions of
the same job, and each transition is fenced on the state its job last saw.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg

from sluice import db
from sluice.batching import Batcher
from sluice.store import jobs
from sluice.store.jobs import Transition

log = logging.getLogger(__name__)

MAX_BATCH = 100
T = TypeVar("T")


class TransitionWriter:
    def __init__(self, pool: asyncpg.Pool, lease_seconds: float) -> None:
        self._pool = pool
        self._lease_seconds = lease_seconds
        self._group = Batcher(self._apply, max_batch=MAX_BATCH)

    async def write(self, change: Transition) -> bool:
        """Apply the transition; False when it was fenced off (the job is no longer ours)."""
        return await self._group.submit(change)

    async def release(self, change: Transition) -> bool:
        """Hand a job back to the queue (see `jobs.release`); False when it was fenced off."""
        return await self._retried(lambda conn: jobs.release(conn, change), False)

    async def _apply(self, batch: Sequence[Transition]) -> list[bool]:
        try:
            moved = await self._retried(lambda conn: jobs.transition(conn, batch, self._lease_seconds), set())
        except Exception:
            # Never leave a job waiting on its write forever: it counts as not written, the job is
            # abandoned, and the rescuer queues it again once its lease runs out.
            log.exception("writing %d job transitions failed", len(batch))
            moved = set()
        return [change.job_id in moved for change in batch]

    async def _retried(self, write: Callable[[Any], Awaitable[T]], gave_up: T) -> T:
        # Retried while the database is unreachable: the fence makes a repeat harmless. Past the
        # lease the jobs are someone else's anyway, and `gave_up` says none moved.
        deadline = asyncio.get_running_loop().time() + self._lease_seconds
        delay = 0.05
        while True:
            try:
                async with self._pool.acquire() as conn:
                    return await write(conn)
            except (*db.UNAVAILABLE, asyncpg.DeadlockDetectedError) as error:
                # A deadlock with this worker's own lease renewal (both update its running jobs, in
                # no set order) rolls the whole batch back; retrying it is safe for the same reason.
                if asyncio.get_running_loop().time() > deadline:
                    log.error("giving up writing job transitions: %s", error)
                    return gave_up
                log.warning("writing job transitions failed (%s); retrying", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
