"""One claimed job on its way through the engine, and the writes that record its progress.

Events are buffered and written in batches: by the flusher every few tens of milliseconds while the
job runs, and with the final status when it ends, so a fast flow costs one write in all.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import attrs

from sluice import db
from sluice.convert import converter
from sluice.engine.context import RunContext
from sluice.engine.graph import FlowFormatError, Graph
from sluice.engine.inputs import InvalidInputs, group_overrides, session_id
from sluice.engine.models import retry
from sluice.engine.pause import Checkpoint, Suspended
from sluice.engine.runner import FlowFailed, run_graph
from sluice.engine.services import Services
from sluice.models import ChatMessage, Event, ExecutionError, ExecutionResponse, Job, JobStatus
from sluice.store import pauses
from sluice.store.jobs import Transition
from sluice.worker.history import DatabaseHistory
from sluice.worker.writer import TransitionWriter

log = logging.getLogger(__name__)

GraphLoader = Callable[[Job], Awaitable[Graph | None]]


class Execution:
    def __init__(self, job: Job, writer: TransitionWriter) -> None:
        self.job = job
        self._writer = writer
        self._seq = job.event_seq
        # The claim took the `in_progress` event's number (the job's row tells that event).
        self._pending: list[Event] = []
        # Chat messages the run stored (its DatabaseHistory): written with the job's final status.
        self.new_messages: list[ChatMessage] = []
        self._write_lock = asyncio.Lock()
        self.lost = False
        # Set once the run makes its last write (its end, or its suspension): from then on nothing
        # interrupts it (see `_write`, and `abandon` in worker/loop.py).
        self.ending = False
        # The run's context once it has one: what it resolved is masked in all the job records and logs.
        self.context: RunContext | None = None

    def emit(self, event_type: str, data: Mapping[str, Any]) -> None:
        self._pending.append(Event(event_type, self._masked(data)))

    def _masked(self, data: Any) -> Any:
        """`data` with every lent value replaced by `***`, should a component or a model echo one."""
        lent = self.context.lent_values() if self.context is not None else frozenset()
        return _masked(converter.unstructure(data), lent) if lent else data

    async def flush(self) -> None:
        """Write buffered events while the job keeps running."""
        if self._pending and not self._write_lock.locked():
            await self._write(JobStatus.IN_PROGRESS)

    async def finish(self, response: ExecutionResponse, error_code: str | None = None) -> None:
        self.emit("end", response)  # which implies the final status event (store/jobs.py, `numbered`)
        messages = tuple(attrs.evolve(message, text=self._masked(message.text)) for message in self.new_messages)
        await self._write(response.status, error_code, messages)

    async def suspend(self, request: Mapping[str, Any], checkpoint: Checkpoint, pool: asyncpg.Pool) -> None:
        """The run waits for a person: its pause is saved, and the job leaves its worker `suspended`."""
        request = self._masked(request)  # shown to people, as its event is
        timeout = request.get("timeout_seconds") or 0
        deadline = datetime.now(UTC) + timedelta(seconds=timeout) if timeout > 0 else None
        await pauses.save(pool, self.job.id, request, checkpoint, deadline)
        self.emit("human_input_required", request)
        self.emit("status", {"status": JobStatus.SUSPENDED.value})
        await self._write(JobStatus.SUSPENDED, messages=tuple(self.new_messages))

    async def _write(self, status: JobStatus, error_code: str | None = None,
                     messages: tuple[ChatMessage, ...] = ()) -> None:
        # The run's last write learns from its fence whether the job was still its own, so nothing
        # needs to interrupt the run from here on (worker/loop.py, `abandon`).
        if status is not JobStatus.IN_PROGRESS:
            self.ending = True
        async with self._write_lock:
            if self.lost:
                return
            events, self._pending = tuple(self._pending), []
            change = Transition(
                job_id=self.job.id,
                attempt=self.job.attempt,
                from_status=JobStatus.IN_PROGRESS,
                from_seq=self._seq,
                to_status=status,
                events=events,
                error_code=error_code,
                messages=messages,
            )
            if await self._writer.write(change):
                self._seq = change.to_seq
            else:
                # Stopped, or taken over after our lease ran out: whatever we do now must not count.
                self.lost = True

    async def release(self) -> bool:
        """Hand the job back to the queue, its attempt not counted (the worker is shutting down).

        Waits for a write in flight, so the fence uses the sequence number that write left; after
        this the run writes nothing more, whatever it does until it is cancelled.
        """
        async with self._write_lock:
            if self.lost:
                return False
            # The messages the run stored are dropped with it: the job runs again and stores them then.
            self.lost = True
            back = Event("status", {"status": JobStatus.QUEUED.value, "reason": "shutdown",
                                    "attempt": self.job.attempt})
            events, self._pending = (*self._pending, back), []
            change = Transition(self.job.id, self.job.attempt, JobStatus.IN_PROGRESS, self._seq,
                                JobStatus.QUEUED, events)
            return await self._writer.release(change)


def _masked(value: Any, lent: frozenset[str]) -> Any:
    if isinstance(value, str):
        for secret in lent:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, Mapping):
        return {_masked(key, lent): _masked(item, lent) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item, lent) for item in value]
    return value


async def execute(execution: Execution, load_graph: GraphLoader, services: Services, pool: asyncpg.Pool) -> None:
    """Run the job's flow and record how it ended. Cancellation (stop, lost lease) writes nothing.

    Past its time limit (SLUICE_JOB_TIMEOUT, or the flow's lower one) the run is interrupted and
    the job ends `timed_out`.
    """
    job = execution.job
    limit = min(services.settings.job_timeout, job.timeout_seconds or services.settings.job_timeout)
    try:
        async with asyncio.timeout(limit) as deadline:
            # Model calls wait to try again only while the job has time left (each job is its own task).
            retry.DEADLINE.set(deadline.when())
            await _run(execution, load_graph, services, pool)
    except TimeoutError:
        if not deadline.expired():
            raise
        await _fail(execution, JobStatus.TIMED_OUT, "JOB_TIMEOUT",
                    f"The job ran longer than its limit of {limit:g} seconds and was stopped.")
    finally:
        # The context refers back to the execution (its `emit`): without that cycle, reference
        # counting frees a finished job at once, rather than a full collection much later.
        execution.context = None


async def _run(execution: Execution, load_graph: GraphLoader, services: Services, pool: asyncpg.Pool) -> None:
    job = execution.job
    try:
        graph = await load_graph(job)
        if graph is None:
            await _fail(execution, JobStatus.ERROR, "FLOW_VERSION_GONE",
                        f"Version {job.flow_version} of flow {job.flow_id} no longer exists.")
            return
        overrides = group_overrides(graph, job.inputs)
        pause = await _pause(graph, job, pool)
        context = RunContext(
            job_id=job.id,
            owner=job.owner,
            flow_id=job.flow_id,
            session_id=session_id(job.inputs) or str(job.id),
            emit=execution.emit,
            services=services,
            history=DatabaseHistory(pool, execution.new_messages),
            sealed_variables=job.secrets,
            decisions={pause.request_id: pause.decision} if pause is not None and pause.decision else {},
        )
        execution.context = context
        outputs = await run_graph(graph, overrides, context, pause.checkpoint if pause is not None else None)
    except asyncio.CancelledError:
        raise
    except db.UNAVAILABLE as error:
        # Write nothing: once this worker stops renewing the lease, the rescuer queues the job again.
        log.warning("job %s put back: the database was unreachable while it ran (%s)", job.id, error)
        execution.lost = True
    except Suspended as paused:
        await execution.suspend(paused.request, paused.checkpoint, pool)
    except FlowFailed as failure:
        await _fail(execution, JobStatus.FAILED, "COMPONENT_FAILED", failure.message,
                    {"component_id": failure.component_id})
    except (InvalidInputs, FlowFormatError) as problem:
        await _fail(execution, JobStatus.FAILED, "INVALID_FLOW", str(problem))
    except Exception:
        report = traceback.format_exc()
        log.error("job %s failed inside Sluice\n%s", job.id,
                  execution.context.redact(report) if execution.context is not None else report)
        await _fail(execution, JobStatus.ERROR, "INTERNAL_ERROR", "Sluice failed to run this job.")
    else:
        await execution.finish(ExecutionResponse.of(job, JobStatus.COMPLETED, outputs))


async def _pause(graph: Graph, job: Job, pool: asyncpg.Pool) -> pauses.Pause | None:
    """The decided pause a resumed job continues from; read only for flows that can pause."""
    if not any(node.type == "HumanInput" for node in graph.nodes.values()):
        return None
    pause = await pauses.read(pool, job.id)
    return pause if pause is not None and pause.decision is not None else None


async def _fail(execution: Execution, status: JobStatus, code: str, message: str,
                details: Mapping[str, Any] | None = None) -> None:
    error = ExecutionError(error=message, code=code, details=details or {})
    response = ExecutionResponse.of(execution.job, status, errors=(error,))
    await execution.finish(response, error_code=code)
