"""Domain values shared by the API, the worker and the engine. Frozen: they are facts, not state."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    ERROR = "error"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    # Waiting for a person's decision (a Human Input node): no worker holds it until it is resumed.
    SUSPENDED = "suspended"

    @property
    def is_terminal(self) -> bool:
        return self not in (JobStatus.QUEUED, JobStatus.IN_PROGRESS, JobStatus.SUSPENDED)

    @property
    def is_settled(self) -> bool:
        """Ended, or waiting for a person: nothing changes it until someone acts."""
        return self.is_terminal or self is JobStatus.SUSPENDED


@attrs.frozen
class ComponentOutput:
    type: str
    component_id: str
    status: str
    content: Any
    metadata: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class ExecutionError:
    error: str
    code: str
    details: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Job:
    """A job as stored: its queue state and the request that created it."""

    id: UUID
    owner: str
    flow_id: UUID
    flow_version: str
    status: JobStatus
    attempt: int
    max_attempts: int
    event_seq: int
    created_at: datetime
    inputs: Mapping[str, Any]
    error_code: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The flow's limit on run time when the job was submitted; SLUICE_JOB_TIMEOUT caps it.
    timeout_seconds: int | None = None
    # Per-run global variables (X-LANGFLOW-GLOBAL-VAR-* headers), encrypted; only while queued or running.
    secrets: bytes | None = attrs.field(default=None, repr=False)


@attrs.frozen
class ExecutionResponse:
    """The Workflow API's execution response (sync answer, GET, and the `end` event's data)."""

    flow_id: UUID
    job_id: UUID
    status: JobStatus
    created_at: datetime
    inputs: Mapping[str, Any]
    outputs: Mapping[str, ComponentOutput] = attrs.field(factory=dict)
    errors: tuple[ExecutionError, ...] = ()
    metadata: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def of(
        cls,
        job: Job,
        status: JobStatus,
        outputs: Mapping[str, ComponentOutput] | None = None,
        errors: tuple[ExecutionError, ...] = (),
        metadata: Mapping[str, Any] | None = None,
    ) -> ExecutionResponse:
        return cls(
            flow_id=job.flow_id,
            job_id=job.id,
            status=status,
            created_at=job.created_at,
            inputs=job.inputs,
            outputs=outputs or {},
            errors=errors,
            metadata={"flow_version": job.flow_version, "attempt": job.attempt, **(metadata or {})},
        )


@attrs.frozen
class Event:
    """One entry of a job's durable event log."""

    type: str = attrs.field(validator=lambda _, __, value: _check_event_type(value))
    data: Mapping[str, Any]


# An event type is an SSE `event:` line: a line break in it would end the field and forge others.
_EVENT_TYPE = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


def _check_event_type(value: str) -> None:
    if not isinstance(value, str) or not _EVENT_TYPE.fullmatch(value):
        raise ValueError(f"An event type is one word of letters, digits, '_', '-', '.' or ':', not {value!r}.")


@attrs.frozen
class FlowSummary:
    id: UUID
    name: str
    description: str
    endpoint_name: str
    version: str
    created_at: datetime
    updated_at: datetime
    # Maximum run time of the flow's jobs, when lower than SLUICE_JOB_TIMEOUT.
    timeout_seconds: int | None = None
    # The project (Langflow's folder) the flow belongs to, if any.
    project_id: UUID | None = None


@attrs.frozen
class ChatMessage:
    """One message of an owner's chat session (Chat Input, Chat Output, Message History)."""

    owner: str
    session_id: str
    sender: str
    sender_name: str
    text: str
    timestamp: datetime


@attrs.frozen
class KnowledgeBase:
    """An owner's knowledge base: chunks of text with their embeddings, searched by cosine distance."""

    id: UUID
    owner: str
    name: str
    embedding_provider: str
    embedding_model: str
    dimensions: int | None
    chunk_size: int | None
    chunk_overlap: int | None
    separator: str | None
    created_at: datetime
    updated_at: datetime
    last_job_id: UUID | None = None
    # The last ingestion's job status, and its error when it failed.
    last_job_status: str | None = None
    chunks: int = 0
    characters: int = 0
    words: int = 0
    # A memory base's: its flow, and the id of the last chat message it holds.
    flow_id: UUID | None = None
    memory_cursor: int = 0


@attrs.frozen
class StoredMessage:
    """A chat message as stored, with its id (the order messages were stored in)."""

    id: int
    message: ChatMessage


@attrs.frozen
class KnowledgeChunk:
    """One chunk to store: its text, metadata (source file, chunk index, ...) and embedding."""

    id: UUID
    content: str
    metadata: Mapping[str, Any]
    embedding: tuple[float, ...]


@attrs.frozen
class KnowledgeHit:
    """A stored chunk found by a search, `distance` its cosine distance to the query (0 is the same)."""

    id: UUID
    content: str
    metadata: Mapping[str, Any]
    distance: float
