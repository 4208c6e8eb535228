"""One dedicated LISTEN connection per process, fanned out to in-process subscribers.

LISTEN needs a session connection (it receives nothing through a transaction-mode pooler), so each
process keeps exactly one, apart from its pool. A NOTIFY sent while the connection is down is lost:
on every reconnect the `on_reconnect` callbacks run so that subscribers re-check what they wait for
(and polling covers the rest).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg

from sluice import db
from sluice.models import JobStatus

log = logging.getLogger(__name__)

Handler = Callable[[str], None]


def job_changes(payload: str) -> list[tuple[UUID, JobStatus]]:
    """The jobs a `sluice_job` NOTIFY names, with their new status (`id:status` joined by commas)."""
    changes = []
    for item in payload.split(","):
        job_text, _, status = item.partition(":")
        if status:
            changes.append((UUID(job_text), JobStatus(status)))
    return changes


class Listener:
    def __init__(self, url: str, handlers: dict[str, Handler],
                 on_reconnect: Callable[[], Awaitable[None] | None] | None = None) -> None:
        self._url = url
        self._handlers = handlers
        self._on_reconnect = on_reconnect
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._keep_listening(), name="listener")
        # Wait for the first connection so that nothing sent after start() is missed.
        await asyncio.wait_for(self.connected.wait(), timeout=30)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _keep_listening(self) -> None:
        delay = 0.1
        first = True
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await db.connect(self._url)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
                for channel in self._handlers:
                    await conn.add_listener(channel, self._dispatch)
                self.connected.set()
                delay = 0.1
                if not first and self._on_reconnect is not None:
                    result = self._on_reconnect()
                    if result is not None:
                        await result
                first = False
                # The termination callback does not fire for every way a socket can die; a cheap
                # query now and then notices a dead connection.
                while not lost.is_set():
                    try:
                        await asyncio.wait_for(lost.wait(), timeout=5)
                    except TimeoutError:
                        await conn.execute("select 1", timeout=5)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # connection refused, terminated, timed out
                log.warning("LISTEN connection lost (%s); reconnecting in %.1fs", error, delay)
            finally:
                self.connected.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _dispatch(self, _conn: object, _pid: int, channel: str, payload: str) -> None:
        handler = self._handlers.get(channel)
        if handler is not None:
            try:
                handler(payload)
            except Exception:
                log.exception("notification handler for %s failed", channel)
