"""Live tails of jobs' event logs, shared by every client of this process that follows the same job.

A followed job has one feed. Each `sluice_job` NOTIFY naming the job wakes it; it then reads the log
once, past the position of its furthest-behind follower, and hands each follower the events it has
not had yet. So many clients on one job cost one query per change, and nobody polls. A lost LISTEN
connection wakes every feed (notifications may have been missed), and a failed read is retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg

from sluice.http.errors import DATABASE_UNAVAILABLE
from sluice.models import JobStatus
from sluice.store import jobs
from sluice.store.jobs import LoggedEvent

log = logging.getLogger(__name__)

# Events read per query; a longer backlog is read page by page.
PAGE = 500


class Follower:
    """One client's place in a job's log. `batches` receives lists of new events, in order; `None`
    means the feed broke and the client should reconnect with its last event id."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.batches: asyncio.Queue[list[LoggedEvent] | None] = asyncio.Queue()


class _Feed:
    def __init__(self) -> None:
        self.followers: set[Follower] = set()
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class JobFeeds:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._feeds: dict[UUID, _Feed] = {}

    def follow(self, job_id: UUID, after: int) -> Follower:
        """Start receiving the job's events after sequence number `after`, old and new."""
        feed = self._feeds.get(job_id)
        if feed is None:
            feed = self._feeds[job_id] = _Feed()
            feed.task = asyncio.create_task(self._tail(job_id, feed), name=f"feed {job_id}")
        follower = Follower(after)
        feed.followers.add(follower)
        feed.changed.set()
        return follower

    def leave(self, job_id: UUID, follower: Follower) -> None:
        feed = self._feeds.get(job_id)
        if feed is None or follower not in feed.followers:
            return
        feed.followers.discard(follower)
        if not feed.followers:
            del self._feeds[job_id]
            if feed.task is not None:
                feed.task.cancel()

    async def tail(self, job_id: UUID, after: int, keepalive: float) -> AsyncIterator[list[LoggedEvent] | None]:
        """The job's events after `after` in batches, until its `end` event; `None` each time
        `keepalive` seconds pass without one. Ends early when the feed breaks (the client resumes
        from its last event id)."""
        follower = self.follow(job_id, after)
        try:
            while True:
                try:
                    batch = await asyncio.wait_for(follower.batches.get(), timeout=keepalive)
                except TimeoutError:
                    yield None
                    continue
                if batch is None:
                    return
                ended = next((index for index, event in enumerate(batch) if event.type == "end"), None)
                if ended is not None:
                    yield batch[:ended + 1]
                    return
                yield batch
        finally:
            self.leave(job_id, follower)

    def on_changes(self, changes: list[tuple[UUID, JobStatus]]) -> None:
        for job_id, _ in changes:
            feed = self._feeds.get(job_id)
            if feed is not None:
                feed.changed.set()

    def wake_all(self) -> None:
        for feed in self._feeds.values():
            feed.changed.set()

    def close_all(self) -> None:
        """The process is shutting down: every stream ends cleanly, and its client resumes from its
        last event id on another process."""
        for feed in self._feeds.values():
            for follower in feed.followers:
                follower.batches.put_nowait(None)

    async def _tail(self, job_id: UUID, feed: _Feed) -> None:
        delay = 0.05
        try:
            while True:
                await feed.changed.wait()
                feed.changed.clear()
                after = min(follower.after for follower in feed.followers)
                try:
                    events = await jobs.read_events(self._pool, job_id, after, PAGE)
                except DATABASE_UNAVAILABLE as error:
                    log.warning("reading the events of job %s failed (%s); retrying", job_id, error)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 2.0)
                    feed.changed.set()
                    continue
                delay = 0.05
                if len(events) == PAGE:
                    feed.changed.set()  # more to read
                for follower in feed.followers:
                    fresh = [event for event in events if event.seq > follower.after]
                    if fresh:
                        follower.after = fresh[-1].seq
                        follower.batches.put_nowait(fresh)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the event feed of job %s failed", job_id)
            if self._feeds.get(job_id) is feed:
                del self._feeds[job_id]
            for follower in feed.followers:
                follower.batches.put_nowait(None)
