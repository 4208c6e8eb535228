"""Writes running jobs' buffered events every few tens of milliseconds, in one statement for all.

Coalescing keeps a model that streams tokens from costing a commit per token, while followers of
the job's event stream still see progress almost at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from uuid import UUID

from sluice.worker.execution import Execution

FLUSH_INTERVAL = 0.05


async def flush_events(running: Mapping[UUID, Execution]) -> None:
    while True:
        await asyncio.sleep(FLUSH_INTERVAL)
        if running:
            await asyncio.gather(*(execution.flush() for execution in list(running.values())))
