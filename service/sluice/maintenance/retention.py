"""Deletes finished jobs (with their inputs, events and files) older than SLUICE_RETENTION_DAYS, and
the chunks of deleted knowledge bases.

Every worker runs this duty every SLUICE_RETENTION_INTERVAL seconds, starting at a random point of
the interval so that workers started together do not all try at once. Each batch holds a
cluster-wide advisory lock for its short transaction only; a worker that finds it taken leaves
the round to the one pruning. `sluice prune` does the same from the shell.
"""

from __future__ import annotations

import asyncio
import logging
import random

import asyncpg

from sluice import db
from sluice.store import knowledge, retention

log = logging.getLogger(__name__)


async def keep_pruning(pool: asyncpg.Pool, days: float, interval: float) -> None:
    await asyncio.sleep(random.uniform(0, interval))
    while True:
        try:
            pruned = await retention.prune(pool, days, wait_for_lock=False)
            chunks = await knowledge.prune(pool)
        except db.ERRORS as error:
            log.warning("pruning finished jobs failed: %s", error)
        else:
            if pruned.jobs:
                log.info("pruned %d finished job(s), %d event(s), %d file(s)",
                         pruned.jobs, pruned.events, pruned.files)
            if chunks:
                log.info("pruned %d chunk(s) of deleted knowledge bases", chunks)
        await asyncio.sleep(interval)
