"""The worker loop: wake on NOTIFY (or every poll interval), claim jobs, run each as a task.

This is where jobs get claimed: one `claim_jobs` statement takes as many as the worker has free
slots for (up to a batch), with `FOR UPDATE SKIP LOCKED`, so any number of workers share a queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from uuid import UUID

import asyncpg

from sluice import db
from sluice.config import Settings
from sluice.engine.graph import Graph, parse_graph
from sluice.engine.ingestion import INGESTION_VERSION, ingestion_graph
from sluice.engine.services import Services
from sluice.maintenance.rescuer import rescue_expired
from sluice.maintenance.retention import keep_pruning
from sluice.models import Job
from sluice.notifications import Listener
from sluice.store import flows, jobs
from sluice.worker.execution import Execution, execute
from sluice.worker.flusher import flush_events
from sluice.worker.heartbeat import keep_leases
from sluice.worker.presence import keep_presence
from sluice.worker.storage import worker_services
from sluice.worker.writer import TransitionWriter

log = logging.getLogger(__name__)

CLAIM_BATCH = 10


class Worker:
    def __init__(self, settings: Settings, concurrency: int = 8, claim_batch: int = CLAIM_BATCH) -> None:
        self.settings = settings
        self.concurrency = concurrency
        self.claim_batch = claim_batch
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.running: dict[UUID, Execution] = {}
        self._tasks: dict[UUID, asyncio.Task[None]] = {}
        self._graphs: dict[tuple[UUID, str], Graph] = {}
        self._wake = asyncio.Event()
        # True while the loop waits for a free slot rather than for new jobs: only then does a
        # finished job need to wake it (an empty queue is woken by NOTIFY, or the poll).
        self._waiting_for_slot = False
        self.stopping = asyncio.Event()
        self.pool: asyncpg.Pool
        self.claim_pool: asyncpg.Pool
        self.services: Services

    async def run(self) -> None:
        self.pool = await db.create_pool(self.settings.database_url, min_size=2, max_size=4)
        # Claims and lease renewals do not wait for their commit to reach the disk: a database crash
        # that loses one only puts the job back as it was, and the attempt fence makes every later
        # write of this run change nothing. What a job's owner is told (its end) is always durable.
        self.claim_pool = await db.create_pool(self.settings.database_url, min_size=1, max_size=1,
                                               wait_for_flush=False)
        # Shared by every job's components: the pool, HTTP clients, chat history, the secret key.
        self.services = worker_services(self.settings, self.pool)
        self.writer = TransitionWriter(self.pool, self.settings.lease_seconds)
        listener = Listener(
            self.settings.listen_url,
            {"sluice_queued": self._on_queued, "sluice_cancel": self._on_cancel},
            on_reconnect=self._wake.set,
        )
        await listener.start()
        heartbeat_interval = min(1.0, self.settings.lease_seconds / 3)
        duties = [
            asyncio.create_task(keep_leases(self, heartbeat_interval), name="heartbeat"),
            asyncio.create_task(flush_events(self), name="flusher"),
            asyncio.create_task(rescue_expired(self), name="rescuer"),
            asyncio.create_task(keep_pruning(self), name="retention"),
            asyncio.create_task(keep_presence(self), name="presence"),
        ]
        log.info("worker %s started (concurrency %d)", self.id, self.concurrency)
        try:
            await self._claim_until_stopped()
            await self._finish_or_hand_back()
        finally:
            for duty in duties:
                duty.cancel()
            await asyncio.gather(*duties, return_exceptions=True)
            await listener.stop()
            await self.services.aclose()
            await self.pool.close()
            await self.claim_pool.close()

    def stop(self) -> None:
        """Stop claiming at once; running jobs get the shutdown grace period to finish."""
        self.stopping.set()
        self._wake.set()

    async def _finish_or_hand_back(self) -> None:
        """Wait up to SLUICE_SHUTDOWN_GRACE for running jobs, then hand the rest back to the queue."""
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(list(self._tasks.values()), timeout=self.settings.shutdown_grace)
        if not unfinished:
            return
        late = [job_id for job_id, task in self._tasks.items() if task in unfinished]
        # Out of `running` first: the heartbeat and the flusher leave them alone from now on.
        executions = [self.running.pop(job_id) for job_id in late]
        released = await asyncio.gather(*(execution.release() for execution in executions))
        for task in unfinished:
            task.cancel()
        await asyncio.wait(unfinished, timeout=5)
        log.info("worker %s handed %d unfinished job(s) back to the queue", self.id, sum(released))

    def wake(self) -> None:
        self._wake.set()

    def abandon(self, job_id: UUID) -> None:
        """The job is no longer ours (stopped, or taken over): interrupt it without writing."""
        execution = self.running.get(job_id)
        task = self._tasks.get(job_id)
        if execution is not None and task is not None:
            execution.lost = True
            task.cancel()

    async def _claim_until_stopped(self) -> None:
        while not self.stopping.is_set():
            self._wake.clear()
            free = self.concurrency - len(self.running)
            if free > 0:
                wanted = min(free, self.claim_batch)
                try:
                    claimed = await jobs.claim(self.claim_pool, self.id, wanted, self.settings.lease_seconds)
                except db.ERRORS as error:
                    log.warning("claiming failed: %s", error)
                    claimed = []
                for job in claimed:
                    self._start(job)
                if len(claimed) == wanted:
                    continue  # the queue may hold more
            self._waiting_for_slot = free <= 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_interval)

    def _start(self, job: Job) -> None:
        execution = Execution(job, self.writer)
        self.running[job.id] = execution
        task = asyncio.create_task(execute(execution, self._load_graph, self.services, self.pool), name=f"job {job.id}")
        self._tasks[job.id] = task
        task.add_done_callback(lambda _task, job_id=job.id: self._finished(job_id))

    def _finished(self, job_id: UUID) -> None:
        self.running.pop(job_id, None)
        self._tasks.pop(job_id, None)
        if self._waiting_for_slot:
            self._wake.set()

    async def _load_graph(self, job: Job) -> Graph | None:
        if job.flow_version == INGESTION_VERSION:
            return ingestion_graph()
        key = (job.flow_id, job.flow_version)
        graph = self._graphs.get(key)
        if graph is None:
            document = await flows.read_version(self.pool, job.owner, job.flow_id, job.flow_version)
            if document is None:
                return None
            graph = self._graphs[key] = parse_graph(document)
        return graph

    def _on_queued(self, _payload: str) -> None:
        self._wake.set()

    def _on_cancel(self, payload: str) -> None:
        for text in payload.split(","):
            try:
                self.abandon(UUID(text))
            except ValueError:
                continue
