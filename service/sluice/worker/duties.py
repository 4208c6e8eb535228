"""Runs a worker's background duties and restarts one that raises, with a backoff.

Each duty is a loop that runs until cancelled, handling on its own what it expects (the database
unreachable for a while). Anything else it raises is a bug or a broken dependency: logged with its
traceback and the duty started again, 0.1 s later, doubling up to 5 s. A duty that has kept
failing for longer than its `fatal_after` cannot recover (the lease renewer past the lease time:
its jobs are then being taken over): `Duties.run` raises `DutyFailed`, and the worker stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import attrs

log = logging.getLogger(__name__)

FIRST_DELAY = 0.1
MAX_DELAY = 5.0
# A restarted duty that has run this long without raising has recovered.
RECOVERED_AFTER = 5.0


class DutyFailed(Exception):
    """A duty kept failing for longer than it may: the worker must stop and hand its jobs back."""


@attrs.frozen
class Duty:
    name: str
    run: Callable[[], Awaitable[None]]
    # How long the duty may keep failing before the worker must stop; None: restart it forever.
    fatal_after: float | None = None


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
        failing_since: float | None = None
        delay = FIRST_DELAY
        while True:
            started = loop.time()
            try:
                await duty.run()
                raise RuntimeError(f"the {duty.name} duty returned")
            except Exception as error:
                now = loop.time()
                if failing_since is None or now - started >= RECOVERED_AFTER:
                    failing_since, delay = started, FIRST_DELAY
                if duty.fatal_after is not None and now - failing_since > duty.fatal_after:
                    log.error("worker duty %s has failed for %.1f s; stopping the worker", duty.name,
                              now - failing_since, exc_info=error)
                    raise DutyFailed(f"the {duty.name} duty kept failing for {now - failing_since:.1f} s "
                                     f"(last: {error!r})") from error
                log.exception("worker duty %s failed; restarting it in %.1f s", duty.name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
