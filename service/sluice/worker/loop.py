"""The worker loop: wake on NOTIFY (or every poll interval), claim jobs, run each as a task.

This is where jobs get claimed: one `claim_jobs` statement takes as many as the worker has free
slots for (up to a batch), with `FOR UPDATE SKIP LOCKED`, so any number of workers share a queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import socket
import uuid
from uuid import UUID

import asyncpg

from sluice import db
from sluice.config import Settings
from sluice.engine.graph import Graph
from sluice.engine.graph_cache import ParsedGraphs
from sluice.engine.ingestion import INGESTION_VERSION, ingestion_graph
from sluice.engine.services import Services
from sluice.maintenance.model_usage import keep_counting
from sluice.maintenance.pauses import expire_pauses
from sluice.maintenance.rescuer import rescue_expired
from sluice.maintenance.retention import keep_pruning
from sluice.models import Job
from sluice.notifications import Listener
from sluice.store import flows, jobs, workers
from sluice.worker.duties import Duties, Duty
from sluice.worker.execution import Execution, execute
from sluice.worker.flusher import flush_events
from sluice.worker.heartbeat import keep_beating
from sluice.worker.leases import LeaseRenewer
from sluice.worker.storage import worker_services
from sluice.worker.writer import TransitionWriter

log = logging.getLogger(__name__)

CLAIM_BATCH = 10


def settle_garbage_collector() -> None:
    """What exists once the worker has started (modules, components, settings) lives as long as
    the process: leave it out of every later collection.

    Young objects are collected as often as Python's default. Every HTTP response is a reference
    cycle inside httpx; collecting young objects after 20,000 allocations instead of 700 saved some
    CPU in a drain of no-op jobs, but a worker streaming model answers at concurrency 200 then grew
    by 8 to 15 % over a few minutes (0.5 % with the default).
    """
    gc.collect()
    gc.freeze()


class Worker:
    def __init__(self, settings: Settings, concurrency: int = 8, claim_batch: int = CLAIM_BATCH) -> None:
        self.settings = settings
        self.concurrency = concurrency
        self.claim_batch = claim_batch
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.running: dict[UUID, Execution] = {}
        self._tasks: dict[UUID, asyncio.Task[None]] = {}
        self._graphs = ParsedGraphs()
        self._wake = asyncio.Event()
        # True while the loop waits for a free slot rather than for new jobs: only then does a
        # finished job need to wake it (an empty queue is woken by NOTIFY, or the poll).
        self._waiting_for_slot = False
        self.stopping = asyncio.Event()
        self.pool: asyncpg.Pool
        self.claim_pool: asyncpg.Pool
        self.services: Services
        self.leases: LeaseRenewer

    async def run(self) -> None:
        settle_garbage_collector()
        self.pool = await db.create_pool(self.settings.database_url, min_size=2, max_size=4)
        # Claims and lease renewals do not wait for their commit to reach the disk: a database crash
        # that loses one only puts the job back as it was, and the attempt fence makes every later
        # write of this run change nothing. What a job's owner is told (its end) is always durable.
        self.claim_pool = await db.create_pool(self.settings.database_url, min_size=1, max_size=1,
                                               wait_for_flush=False)
        # Shared by every job's components: the pool, HTTP clients, chat history, the secret key.
        self.services = worker_services(self.settings, self.pool, self.concurrency)
        self.writer = TransitionWriter(self.pool, self.settings.lease_seconds)
        listener = Listener(
            self.settings.listen_url,
            {"sluice_queued": self._on_queued, "sluice_cancel": self._on_cancel},
            on_reconnect=self._wake.set,
        )
        await listener.start()
        settings = self.settings
        self.leases = LeaseRenewer(self.claim_pool, self.running, settings.lease_seconds, self.abandon)
        duties = Duties([
            # Halfway through the lease without renewing: hand the jobs back before anyone takes them.
            Duty("lease renewal", self.leases.run, done_at=lambda: self.leases.done_at,
                 fatal_after=settings.lease_seconds / 2),
            Duty("event flusher", lambda: flush_events(self.running)),
            Duty("rescuer", lambda: rescue_expired(self.pool, settings.lease_seconds, self.wake)),
            Duty("retention", lambda: keep_pruning(self.pool, settings.retention_days, settings.retention_interval)),
            Duty("heartbeat", lambda: keep_beating(self.pool, self.id, self.concurrency, self.stopping)),
            Duty("pause expiry", lambda: expire_pauses(self.pool, settings.lease_seconds, self.wake)),
            Duty("model usage", lambda: keep_counting(self.pool)),
        ])
        supervision = asyncio.create_task(duties.run(), name="duties")
        claiming = asyncio.create_task(self._claim_until_stopped(), name="claims")
        log.info("worker %s started (concurrency %d)", self.id, self.concurrency)
        try:
            await asyncio.wait({supervision, claiming}, return_when=asyncio.FIRST_COMPLETED)
            self.stop()
            await asyncio.wait({claiming})
            # A duty that cannot recover, or claims that broke: hand every job back at once.
            failed = supervision.done() or claiming.exception() is not None
            await self._finish_or_hand_back(supervision, grace=0 if failed else settings.shutdown_grace)
            if claiming.exception() is not None:
                claiming.result()
            if supervision.done():
                supervision.result()
        finally:
            supervision.cancel()
            await asyncio.gather(supervision, return_exceptions=True)
            with contextlib.suppress(*db.ERRORS):
                await workers.unregister(self.pool, self.id)
            await listener.stop()
            await self.services.aclose()
            await self.pool.close()
            await self.claim_pool.close()

    def stop(self) -> None:
        """Stop claiming at once; running jobs get the shutdown grace period to finish."""
        self.stopping.set()
        self._wake.set()

    async def _finish_or_hand_back(self, supervision: asyncio.Task[None], grace: float) -> None:
        """Wait up to `grace` for running jobs (less if a duty fails), then hand the rest back."""
        if not self._tasks:
            return
        finishing = asyncio.create_task(asyncio.wait(list(self._tasks.values())))
        await asyncio.wait({finishing, supervision}, timeout=grace, return_when=asyncio.FIRST_COMPLETED)
        finishing.cancel()  # only the waiting: the jobs' tasks run on until handed back
        unfinished = {task for task in self._tasks.values() if not task.done()}
        if not unfinished:
            return
        late = [job_id for job_id, task in self._tasks.items() if task in unfinished]
        # Out of `running` first: lease renewal and the flusher leave them alone from now on.
        executions = [self.running.pop(job_id) for job_id in late]
        released = await asyncio.gather(*(execution.release() for execution in executions))
        for task in unfinished:
            task.cancel()
        await asyncio.wait(unfinished, timeout=5)
        log.info("worker %s handed %d unfinished job(s) back to the queue", self.id, sum(released))

    def wake(self) -> None:
        self._wake.set()

    def abandon(self, job_id: UUID) -> None:
        """The job is no longer ours (stopped, or taken over): interrupt it without writing.

        A run already making its last write is left to it: that write is fenced, and tells the run
        whether it still held the job. (A lease renewal racing a job's end finds the job finished
        and reports it lost; cancelling it then left an exception and a cycle of the finished job.)
        """
        execution = self.running.get(job_id)
        task = self._tasks.get(job_id)
        if execution is not None and task is not None and not execution.ending:
            execution.lost = True
            task.cancel()

    async def _claim_until_stopped(self) -> None:
        while not self.stopping.is_set():
            self._wake.clear()
            free = self.concurrency - len(self.running)
            # Never take jobs whose leases this worker is not renewing (see worker/leases.py).
            if free > 0 and self.leases.fresh():
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
        return await self._graphs.load((job.flow_id, job.flow_version),
                                       lambda: flows.read_version(self.pool, job.owner, job.flow_id, job.flow_version))

    def _on_queued(self, _payload: str) -> None:
        self._wake.set()

    def _on_cancel(self, payload: str) -> None:
        for text in payload.split(","):
            try:
                self.abandon(UUID(text))
            except ValueError:
                continue
