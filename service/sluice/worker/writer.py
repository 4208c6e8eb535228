"""Group commit for job transitions: what the jobs of one worker write at once goes in one statement.

Each job awaits its own write before making the next, so a batch never holds two transitions of
the same job, and each transition is fenced on the state its job last saw.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from sluice import db
from sluice.store import jobs
from sluice.store.jobs import Transition

log = logging.getLogger(__name__)

MAX_BATCH = 100
T = TypeVar("T")


class TransitionWriter:
    def __init__(self, pool: asyncpg.Pool, lease_seconds: float) -> None:
        self._pool = pool
        self._lease_seconds = lease_seconds
        self._pending: list[tuple[Transition, asyncio.Future[bool]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def write(self, change: Transition) -> bool:
        """Apply the transition; False when it was fenced off (the job is no longer ours)."""
        landed: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((change, landed))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await landed

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                moved = await self._apply([change for change, _ in batch])
            except Exception:
                # Never leave a job waiting on its write forever: it counts as not written, the job
                # is abandoned, and the rescuer queues it again once its lease runs out.
                log.exception("writing %d job transitions failed", len(batch))
                moved = set()
            for change, landed in batch:
                if not landed.done():
                    landed.set_result(change.job_id in moved)

    async def release(self, change: Transition) -> bool:
        """Hand a job back to the queue (see `jobs.release`); False when it was fenced off."""
        return await self._retried(lambda conn: jobs.release(conn, change), False)

    async def _apply(self, batch: list[Transition]) -> set[UUID]:
        return await self._retried(lambda conn: jobs.transition(conn, batch, self._lease_seconds), set())

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
