"""Writes running jobs' buffered events every few tens of milliseconds, in one statement for all.

Coalescing keeps a model that streams tokens from costing a commit per token, while followers of
the job's event stream still see progress almost at once.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sluice.worker.loop import Worker

FLUSH_INTERVAL = 0.05


async def flush_events(worker: Worker) -> None:
    while True:
        await asyncio.sleep(FLUSH_INTERVAL)
        if worker.running:
            await asyncio.gather(*(execution.flush() for execution in list(worker.running.values())))
