"""Jobs: enqueue, claim, transition (status and events, fenced), lease renewal, reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import attrs
from uuid_utils.compat import uuid7

from sluice.convert import converter
from sluice.models import ChatMessage, Event, ExecutionError, ExecutionResponse, Job, JobStatus
from sluice.store.statements import statement


def new_id() -> UUID:
    """A new job's id: a UUIDv7, whose leading bits are the time, so the primary keys of jobs and
    job_events grow at their right edge (a few hot pages) instead of touching the whole index."""
    return uuid7()


@attrs.frozen
class Transition:
    """Move one job from the state its writer last saw to a new status, appending events."""

    job_id: UUID
    attempt: int
    from_status: JobStatus
    from_seq: int
    to_status: JobStatus
    events: tuple[Event, ...] = ()
    error_code: str | None = None
    # Chat messages the run stored, kept only if the job moves (a final write carries them).
    messages: tuple[ChatMessage, ...] = ()

    @property
    def to_seq(self) -> int:
        numbers = numbered(self.from_seq, self.events)
        return numbers[-1][0] if numbers else self.from_seq


def numbered(after: int, events: Sequence[Event]) -> list[tuple[int, Event]]:
    """The sequence numbers of `events` appended after number `after`.

    An `end` event holds the job's final status, so the status event before it is implied rather
    than stored: the `end` skips one number, which sql/read_job_events.sql fills with that status.
    A status event written just before the `end` (one that carries a reason) is stored instead.
    """
    numbers = []
    seq = after
    for index, event in enumerate(events):
        explicit_status = index > 0 and events[index - 1].type == "status"
        seq += 2 if event.type == "end" and not explicit_status else 1
        numbers.append((seq, event))
    return numbers


def _job(row: asyncpg.Record) -> Job:
    return Job(
        id=row["id"],
        owner=row["owner"],
        flow_id=row["flow_id"],
        flow_version=row["flow_version"],
        status=JobStatus(row.get("status", JobStatus.IN_PROGRESS)),
        attempt=row["attempt"],
        max_attempts=row["max_attempts"],
        event_seq=row["event_seq"],
        created_at=row["created_at"],
        inputs=row["inputs"],
        error_code=row.get("error_code"),
        started_at=row.get("started_at"),
        finished_at=row.get("finished_at"),
        timeout_seconds=row.get("timeout_seconds"),
        secrets=row.get("secrets"),
    )


@attrs.frozen
class Enqueued:
    """The job a submission landed in: the new one, or the original one of a repeated idempotency key."""

    job_id: UUID
    flow_id: UUID
    status: JobStatus
    created_at: datetime
    inserted: bool


@attrs.frozen
class Submission:
    """A run to enqueue: a new job, unless its idempotency key names an earlier one of the owner."""

    job_id: UUID
    owner: str
    flow_id: UUID
    flow_version: str
    max_attempts: int
    inputs: Mapping[str, Any]
    secrets: bytes | None = None
    idempotency_key: str | None = None
    # How a run submitted in Langflow 1.13's body is answered (http/native_run.py); None otherwise.
    request: Mapping[str, Any] | None = None


async def enqueue(conn: Any, submissions: Sequence[Submission]) -> list[Enqueued]:
    """Insert the jobs in one statement; the job each submission landed in, in order."""
    rows = await conn.fetch(
        statement("enqueue_jobs"),
        [s.job_id for s in submissions],
        [s.owner for s in submissions],
        [s.flow_id for s in submissions],
        [s.flow_version for s in submissions],
        [s.max_attempts for s in submissions],
        [s.inputs for s in submissions],
        [s.secrets for s in submissions],
        [s.idempotency_key for s in submissions],
        [s.request for s in submissions],
    )
    landed = {row["submitted_id"]: Enqueued(row["id"], row["flow_id"], JobStatus(row["status"]),
                                            row["created_at"], row["inserted"]) for row in rows}
    return [landed[s.job_id] for s in submissions]


def idempotency_scope(submission: Submission) -> tuple[str, str] | None:
    """Submissions that share this may not go in one batch (see sql/enqueue_jobs.sql)."""
    return None if submission.idempotency_key is None else (submission.owner, submission.idempotency_key)


async def claim(conn: Any, worker_id: str, limit: int, lease_seconds: float) -> list[Job]:
    rows = await conn.fetch(statement("claim_jobs"), worker_id, limit, lease_seconds)
    return [_job(row) for row in rows]


async def transition(conn: Any, changes: Sequence[Transition], lease_seconds: float) -> set[UUID]:
    """Apply the transitions in one statement; returns the ids of the jobs that moved."""
    events = [(change, seq, event)
              for change in changes
              for seq, event in numbered(change.from_seq, change.events)]
    row = await conn.fetchrow(
        statement("transition_jobs"),
        [c.job_id for c in changes],
        [c.attempt for c in changes],
        [c.from_status.value for c in changes],
        [c.from_seq for c in changes],
        [c.to_status.value for c in changes],
        [c.to_seq for c in changes],
        [c.error_code for c in changes],
        [c.job_id for c, _, _ in events],
        [seq for _, seq, _ in events],
        [event.type for _, _, event in events],
        [converter.unstructure(event.data) for _, _, event in events],
        lease_seconds,
        *_message_columns(changes),
    )
    return set(row["moved_ids"]) if row else set()


def _message_columns(changes: Sequence[Transition]) -> tuple[list[Any], ...]:
    """transition_jobs' message arrays: job id, owner, session, sender, sender name, text, time."""
    stored = [(change.job_id, message) for change in changes for message in change.messages]
    return (
        [job_id for job_id, _ in stored],
        [message.owner for _, message in stored],
        [message.session_id for _, message in stored],
        [message.sender for _, message in stored],
        [message.sender_name for _, message in stored],
        [message.text for _, message in stored],
        [message.timestamp for _, message in stored],
    )


async def release(conn: Any, change: Transition) -> bool:
    """Hand a running job back to the queue without counting its attempt; False when fenced off."""
    row = await conn.fetchrow(
        statement("release_job"), change.job_id, change.attempt, change.from_seq,
        [event.type for event in change.events], [converter.unstructure(event.data) for event in change.events],
    )
    return row is not None


async def renew_leases(conn: Any, held: Sequence[tuple[UUID, int]], lease_seconds: float) -> set[UUID]:
    rows = await conn.fetch(
        statement("renew_leases"), [job_id for job_id, _ in held], [attempt for _, attempt in held],
        lease_seconds,
    )
    return {row["id"] for row in rows}


async def find_expired_leases(conn: Any, limit: int) -> list[Job]:
    return [_job(row) for row in await conn.fetch(statement("find_expired_leases"), limit)]


@attrs.frozen
class StoredJob:
    job: Job
    # The execution response the job ended with (its `end` event), as stored JSON; None until then.
    response: Mapping[str, Any] | None
    # The options of the Langflow 1.13 body it was submitted with; None for the documented body.
    request: Mapping[str, Any] | None = None


async def read(conn: Any, job_id: UUID, owner: str) -> StoredJob | None:
    [stored] = await read_many(conn, [(job_id, owner)])
    return stored


async def read_many(conn: Any, wanted: Sequence[tuple[UUID, str]]) -> list[StoredJob | None]:
    """Each (job id, owner) pair's job; None where the owner has no such job."""
    rows = await conn.fetch(statement("read_jobs"), [job_id for job_id, _ in wanted], [owner for _, owner in wanted])
    found = {(row["id"], row["owner"]): StoredJob(job=_job(row), response=row["response"],
                                                   request=row["request"]) for row in rows}
    return [found.get(pair) for pair in wanted]


@attrs.frozen
class LoggedEvent:
    """One entry of a job's event log as stored: its sequence number, type, and data as JSON text."""

    seq: int
    type: str
    data: str
    created_at: datetime


async def read_events(conn: Any, job_id: UUID, after: int, limit: int) -> list[LoggedEvent]:
    rows = await conn.fetch(statement("read_job_events"), job_id, after, limit)
    return [LoggedEvent(row["seq"], row["type"], row["data"], row["created_at"]) for row in rows]


class NotFound(Exception):
    pass


async def stop(conn: Any, job_id: UUID, owner: str, lease_seconds: float) -> tuple[JobStatus, bool]:
    """Cancel a queued or running job (the stop API, `sluice jobs cancel`).

    Returns the job's status and whether this call cancelled it; a finished job is left as it is.
    """
    while True:
        stored = await read(conn, job_id, owner)
        if stored is None:
            raise NotFound(job_id)
        job = stored.job
        if job.status.is_terminal:
            return job.status, False
        error = ExecutionError(error="The job was stopped on request.", code="CANCELLED")
        response = ExecutionResponse.of(job, JobStatus.CANCELLED, errors=(error,))
        change = Transition(
            job_id=job.id, attempt=job.attempt, from_status=job.status, from_seq=job.event_seq,
            to_status=JobStatus.CANCELLED, error_code="CANCELLED",
            events=(Event("end", response),),
        )
        # Fenced on the state just read: if the job moved meanwhile (claimed, finished), read again.
        if await transition(conn, [change], lease_seconds):
            return JobStatus.CANCELLED, True
