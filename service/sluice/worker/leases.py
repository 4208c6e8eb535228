"""Renews the leases of the worker's running jobs, and abandons the jobs it no longer holds.

A job missing from the renewal's result was stopped, or taken over after the lease ran out while
this worker could not reach the database: its task is cancelled, and its writes are fenced anyway.
This also interrupts stopped jobs whose NOTIFY was lost. The worker claims only while renewals keep
succeeding (`fresh`), so it never takes jobs it would not keep.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from uuid import UUID

import asyncpg

from sluice import db
from sluice.store import jobs
from sluice.worker.execution import Execution

log = logging.getLogger(__name__)

# Expected and ridden out: the database unreachable, or a deadlock with this worker's own writes
# (both update its running jobs, in no set order). Anything else stops the duty (worker/duties.py).
PASSING = (*db.UNAVAILABLE, asyncpg.DeadlockDetectedError)


class LeaseRenewer:
    def __init__(self, pool: asyncpg.Pool, running: Mapping[UUID, Execution], lease_seconds: float,
                 abandon: Callable[[UUID], None]) -> None:
        self._pool = pool
        self._running = running
        self._lease_seconds = lease_seconds
        self._abandon = abandon
        self.interval = min(1.0, lease_seconds / 3)
        # When a round last renewed every lease, and when one last ended without a fault of its own
        # (renewed, or found the database unreachable: nothing to fix by restarting the worker).
        self._renewed_at = self.done_at = asyncio.get_running_loop().time()

    def fresh(self) -> bool:
        """Whether renewal rounds keep succeeding (none of the last three missed): only then may the
        worker take on more jobs."""
        return asyncio.get_running_loop().time() - self._renewed_at < 3 * self.interval

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._renew()
            except PASSING as error:
                log.warning("lease renewal failed: %s", error)
            else:
                self._renewed_at = asyncio.get_running_loop().time()
            self.done_at = asyncio.get_running_loop().time()

    async def _renew(self) -> None:
        held = [(job_id, execution.job.attempt) for job_id, execution in self._running.items()]
        if not held:
            return
        kept = await jobs.renew_leases(self._pool, held, self._lease_seconds)
        for job_id, _ in held:
            if job_id not in kept:
                self._abandon(job_id)
