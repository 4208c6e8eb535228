"""Tells sync waiters and event streams that this API process is shutting down, so they answer
before it is gone.

uvicorn owns SIGTERM: it stops accepting connections and waits up to its graceful-shutdown timeout
(SLUICE_SHUTDOWN_GRACE) for open requests. A sync run may wait much longer than that. When the
signal arrives, each waiter keeps waiting for its job until shortly before that timeout and is
then answered 503 `SHUTTING_DOWN` with its job_id, to fetch the result from another process.
Event streams end at once; their clients resume from their last event id on another process.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType


class Shutdown:
    def __init__(self, grace: float) -> None:
        # Leave the waiters a moment to write their answers before uvicorn gives up on them.
        self._answer_within = max(grace - 1.0, grace / 2)
        self._deadline: float | None = None

    def install(self, on_start: Callable[[], None]) -> None:
        """Chain onto uvicorn's SIGTERM and SIGINT handlers; `on_start` runs when one arrives."""
        loop = asyncio.get_running_loop()

        def begin() -> None:
            if self._deadline is None:
                self._deadline = loop.time() + self._answer_within
                on_start()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)

            def handler(signum: int, frame: FrameType | None, previous: object = previous) -> None:
                loop.call_soon_threadsafe(begin)
                if callable(previous):
                    previous(signum, frame)

            signal.signal(sig, handler)

    def remaining(self) -> float | None:
        """Seconds left to answer before shutting down; None while the process is not stopping."""
        if self._deadline is None:
            return None
        return self._deadline - asyncio.get_running_loop().time()
