"""Trying a model call again when that is safe: no connection, 429 or 5xx.

Waits grow exponentially with full jitter (so workers that failed together do not return together),
and a provider's `Retry-After` is honoured. A wait that would outlast the job's time limit is not
started: the call fails at once with the provider's message, rather than the job timing out later.
The worker sets the job's deadline (`DEADLINE`, in event-loop time) for the run.
"""

from __future__ import annotations

import asyncio
import contextvars
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sluice.engine.models.wire import ProviderError

__all__ = ["DEADLINE", "ProviderError", "retrying"]

T = TypeVar("T")

DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("sluice_job_deadline", default=None)
FIRST_WAIT = 0.5
LONGEST_WAIT = 30.0


def backoff(attempt: int) -> float:
    """The wait before try `attempt + 2`: up to 0.5 s, 1 s, 2 s... (at most 30 s), chosen at random."""
    return random.uniform(0, min(LONGEST_WAIT, FIRST_WAIT * 2**attempt))


async def retrying(call: Callable[[], Awaitable[T]], retries: int) -> T:
    attempt = 0
    while True:
        try:
            return await call()
        except ProviderError as error:
            if not error.retryable or attempt >= retries:
                raise
            wait = error.retry_after if error.retry_after is not None else backoff(attempt)
            deadline = DEADLINE.get()
            if deadline is not None and asyncio.get_running_loop().time() + wait >= deadline:
                raise
            attempt += 1
            await asyncio.sleep(wait)
