"""Group commit for job transitions: what the jobs of one worker write at once goes in one statement.

Each job awaits its own write before making the next, so a batch never holds two transitions of
the same job, and each transition is fenced on the state its job last saw.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

import asyncpg

from sluice.store import jobs
from sluice.store.jobs import Transition

log = logging.getLogger(__name__)

MAX_BATCH = 100


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
            except Exception as error:
                # Never leave a job waiting on a write that will not come: its execution ends, its
                # slot frees, and the rescuer re-queues it once its lease runs out.
                for _, landed in batch:
                    if not landed.done():
                        landed.set_exception(error)
                continue
            for change, landed in batch:
                if not landed.done():
                    landed.set_result(change.job_id in moved)

    async def _apply(self, batch: list[Transition]) -> set[UUID]:
        # Retried while the database is unreachable: the fence makes a repeat harmless. Past the
        # lease the jobs are someone else's anyway, and the result says none moved.
        deadline = asyncio.get_running_loop().time() + self._lease_seconds
        delay = 0.05
        while True:
            try:
                async with self._pool.acquire() as conn:
                    return await jobs.transition(conn, batch, self._lease_seconds)
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                    asyncpg.CannotConnectNowError, asyncpg.DeadlockDetectedError, TimeoutError) as error:
                # A deadlock with this worker's own lease renewal (both update its running jobs, in
                # no set order) rolls the whole batch back; retrying it is safe for the same reason.
                if asyncio.get_running_loop().time() > deadline:
                    log.error("giving up writing %d job transitions: %s", len(batch), error)
                    return set()
                log.warning("writing job transitions failed (%s); retrying", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
