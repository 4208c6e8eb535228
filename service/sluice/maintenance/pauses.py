"""Expires the pauses of suspended jobs nobody answered in time (sluice/runs/pauses.py: the fallback
branch, else `timed_out`). Every worker runs it; the deadline is in the database, so a pause that
expired while no process ran is handled by the first worker to start."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sluice import db
from sluice.runs import pauses

if TYPE_CHECKING:
    from sluice.worker.loop import Worker

log = logging.getLogger(__name__)

EXPIRY_INTERVAL = 1.0


async def expire_pauses(worker: Worker) -> None:
    while True:
        try:
            moved = await pauses.expire(worker.pool, worker.settings.lease_seconds)
        except db.ERRORS as error:
            log.warning("expiring paused jobs failed: %s", error)
            moved = 0
        if moved:
            log.info("%d paused job(s) reached their deadline", moved)
            worker.wake()
        await asyncio.sleep(EXPIRY_INTERVAL)
