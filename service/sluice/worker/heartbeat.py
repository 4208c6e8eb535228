"""Renews the leases of the worker's running jobs, and abandons the jobs it no longer holds.

A job missing from the renewal's result was stopped, or taken over after the lease ran out while
this worker could not reach the database: its task is cancelled, and its writes are fenced anyway.
This also interrupts stopped jobs whose NOTIFY was lost.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sluice import db
from sluice.store import jobs

if TYPE_CHECKING:
    from sluice.worker.loop import Worker

log = logging.getLogger(__name__)


async def keep_leases(worker: Worker, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        held = [(job_id, execution.job.attempt) for job_id, execution in worker.running.items()]
        if not held:
            continue
        try:
            kept = await jobs.renew_leases(worker.claim_pool, held, worker.settings.lease_seconds)
        except db.ERRORS as error:
            log.warning("lease renewal failed: %s", error)
            continue
        for job_id, _ in held:
            if job_id not in kept:
                worker.abandon(job_id)
