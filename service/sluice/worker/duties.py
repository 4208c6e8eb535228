"""Runs a worker's background duties and restarts one that raises, with a backoff.

Each duty is a loop that runs until cancelled, handling on its own what it expects (the database
unreachable for a while). Anything else it raises is a bug or a broken dependency: logged with its
traceback and the duty started again, 0.1 s later, doubling up to 5 s (from 0.1 s again once it ran
for a while). A duty that reports when it last did its work (`done_at`) and has not done it for
longer than its `fatal_after` cannot recover: `Duties.run` raises `DutyFailed`, and the worker
stops (the lease renewer gives up halfway through the lease, so the worker hands its jobs back
before anyone takes them over).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import attrs

log = logging.getLogger(__name__)

FIRST_DELAY = 0.1
MAX_DELAY = 5.0
# A restarted duty that has run this long without raising starts its backoff afresh.
RECOVERED_AFTER = 5.0


class DutyFailed(Exception):
    """A duty kept failing for longer than it may: the worker must stop and hand its jobs back."""


@attrs.frozen
class Duty:
    name: str
    run: Callable[[], Awaitable[None]]
    # The event-loop time the duty last did its work, and how long it may go without: past that,
    # the worker must stop. Without them the duty is restarted however often it fails.
    done_at: Callable[[], float] | None = None
    fatal_after: float = 0.0


class Duties:
    def __init__(self, duties: Sequence[Duty]) -> None:
        self._duties = duties

    async def run(self) -> None:
        """Run every duty until cancelled; raises DutyFailed when one cannot recover."""
        tasks = [asyncio.create_task(self._keep(duty), name=duty.name) for duty in self._duties]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _keep(self, duty: Duty) -> None:
        loop = asyncio.get_running_loop()
        delay = FIRST_DELAY
        while True:
            started = loop.time()
            try:
                await duty.run()
                raise RuntimeError(f"the {duty.name} duty returned")
            except Exception as error:
                now = loop.time()
                if now - started >= RECOVERED_AFTER:
                    delay = FIRST_DELAY
                idle = now - duty.done_at() if duty.done_at is not None else 0.0
                if duty.done_at is not None and idle > duty.fatal_after:
                    log.error("worker duty %s failed, and has done no work for %.1f s; stopping the worker",
                              duty.name, idle, exc_info=error)
                    raise DutyFailed(f"the {duty.name} duty kept failing for {idle:.1f} s "
                                     f"(last: {error!r})") from error
                log.exception("worker duty %s failed; restarting it in %.1f s", duty.name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
