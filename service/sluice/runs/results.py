"""A run's result: waiting for it, and the execution response it answers with."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from sluice.convert import converter
from sluice.models import ExecutionResponse
from sluice.runs.errors import ShuttingDown, StillRunning
from sluice.runs.submit import RunServices
from sluice.store import jobs
from sluice.store.jobs import StoredJob

# A waiter re-reads its job this often even without a NOTIFY, in case one was lost.
RECHECK_SECONDS = 5.0


def response_body(stored: StoredJob) -> Any:
    """The execution response of a job: the stored one once it finished, else its status so far."""
    if stored.response is not None:
        return stored.response
    return converter.unstructure(ExecutionResponse.of(stored.job, stored.job.status))


async def wait_for_result(services: RunServices, job_id: UUID, owner: str,
                          enqueue: Awaitable[jobs.Enqueued] | None,
                          closing: Callable[[], float | None] = lambda: None) -> Any:
    """The job's response once it ended. `enqueue` is its insert when not yet awaited; `closing`
    says how many seconds the process has left before it stops (None while it is not stopping)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.settings.sync_timeout
    while True:
        # Registered before the insert (and again before each re-read), so no NOTIFY slips between.
        finished = services.waiters.register(job_id)
        try:
            if enqueue is not None:
                await enqueue
                enqueue = None
            else:
                stored = await services.results.submit((job_id, owner))
                if stored is not None and stored.job.status.is_terminal:
                    return response_body(stored)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise StillRunning("EXECUTION_TIMEOUT",
                                   "The flow did not finish in time; fetch its result later with the job_id.",
                                   job_id=job_id)
            left = closing()
            if left is not None and left <= 0:
                raise ShuttingDown("SHUTTING_DOWN",
                                   "This API process is shutting down; the job goes on, fetch its result with the "
                                   "job_id.", job_id=job_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished, timeout=min(remaining, RECHECK_SECONDS, left or RECHECK_SECONDS))
        finally:
            services.waiters.discard(job_id, finished)
