"""Sync runs waiting for their job to finish (or suspend), woken by the `sluice_job` NOTIFY of that write."""

from __future__ import annotations

import asyncio
from uuid import UUID

from sluice.models import JobStatus


class JobWaiters:
    def __init__(self) -> None:
        self._waiting: dict[UUID, set[asyncio.Future[None]]] = {}

    def register(self, job_id: UUID) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(job_id, set()).add(future)
        return future

    def discard(self, job_id: UUID, future: asyncio.Future[None]) -> None:
        futures = self._waiting.get(job_id)
        if futures is not None:
            futures.discard(future)
            if not futures:
                del self._waiting[job_id]

    def on_changes(self, changes: list[tuple[UUID, JobStatus]]) -> None:
        for job_id, status in changes:
            if status.is_settled:
                self._wake(job_id)

    def wake_all(self) -> None:
        """After a lost LISTEN connection: every waiter re-reads its job."""
        for job_id in list(self._waiting):
            self._wake(job_id)

    def _wake(self, job_id: UUID) -> None:
        for future in self._waiting.get(job_id, ()):
            if not future.done():
                future.set_result(None)
