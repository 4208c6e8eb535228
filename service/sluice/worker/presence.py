"""Keeps this worker's row in the `workers` table: registered at start, a heartbeat every few
seconds (at once when SIGTERM arrives, to show it is stopping), deleted when it exits.

`sluice workers` and the README's queries read it. One small upsert per worker every few seconds,
touching no index, so even hundreds of workers cost the database little.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import TYPE_CHECKING

import asyncpg

from sluice.store import workers

if TYPE_CHECKING:
    from sluice.worker.loop import Worker

log = logging.getLogger(__name__)

PRESENCE_INTERVAL = 5.0
DATABASE_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


async def keep_presence(worker: Worker) -> None:
    hostname, pid = socket.gethostname(), os.getpid()
    try:
        while True:
            try:
                await workers.heartbeat(worker.pool, worker.id, hostname, pid, worker.concurrency,
                                        stopping=worker.stopping.is_set())
            except DATABASE_ERRORS as error:
                log.warning("worker heartbeat failed: %s", error)
            if worker.stopping.is_set():
                await asyncio.sleep(PRESENCE_INTERVAL)
                continue
            # Beat again after the interval, or at once when the worker starts stopping.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(worker.stopping.wait(), timeout=PRESENCE_INTERVAL)
    finally:
        with contextlib.suppress(*DATABASE_ERRORS):
            await workers.unregister(worker.pool, worker.id)
