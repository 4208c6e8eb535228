"""The worker's heartbeat: its row in the `workers` table, upserted every few seconds (and at once
when SIGTERM arrives, to show it is stopping). The worker deletes the row when it exits.

`sluice workers` and the README's queries read it. One small upsert per worker every few seconds,
touching no index, so even hundreds of workers cost the database little.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

import asyncpg

from sluice import db
from sluice.store import workers

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 5.0


async def keep_beating(pool: asyncpg.Pool, worker_id: str, concurrency: int, stopping: asyncio.Event) -> None:
    hostname, pid = socket.gethostname(), os.getpid()
    while True:
        try:
            await workers.heartbeat(pool, worker_id, hostname, pid, concurrency, stopping=stopping.is_set())
        except db.ERRORS as error:
            log.warning("worker heartbeat failed: %s", error)
        if stopping.is_set():
            await asyncio.sleep(HEARTBEAT_INTERVAL)
            continue
        # Beat again after the interval, or at once when the worker starts stopping.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=HEARTBEAT_INTERVAL)
