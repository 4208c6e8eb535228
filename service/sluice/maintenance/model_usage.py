"""Writes the worker's tally of model calls and tokens to the database every few seconds.

Workers serve no metrics of their own; the API's /metrics reads these totals (see
sluice/engine/models/usage.py). A tally that cannot be written is kept for the next round, and
the last one is written as the worker stops.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from sluice import db
from sluice.engine.models import usage
from sluice.store import model_usage

log = logging.getLogger(__name__)

INTERVAL = 5.0


async def keep_counting(pool: asyncpg.Pool) -> None:
    try:
        while True:
            await asyncio.sleep(INTERVAL)
            await write_tally(pool)
    finally:
        await write_tally(pool)


async def write_tally(pool: asyncpg.Pool) -> None:
    tally = usage.take()
    if not tally:
        return
    try:
        await model_usage.add(pool, tally)
    except db.ERRORS as error:
        usage.restore(tally)
        log.warning("recording model usage failed: %s", error)
