"""Submitting a run: check it against its flow, then hand its job to the batched insert."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol
from uuid import UUID

import asyncpg
import attrs

from sluice.batching import Batcher
from sluice.config import Settings
from sluice.engine.graph import Graph
from sluice.engine.inputs import InvalidInputs, group_overrides
from sluice.models import FlowSummary
from sluice.runs.errors import Conflict, InvalidRun, NotFound
from sluice.runs.flow_cache import FlowCache
from sluice.runs.waiters import JobWaiters
from sluice.store import jobs

MAX_KEY_LENGTH = 255


class RunServices(Protocol):
    """What running flows takes from the process that serves them."""

    settings: Settings
    pool: asyncpg.Pool
    flows: FlowCache
    waiters: JobWaiters
    # Runs submitted, and results asked for, at about the same time go to the database together.
    submissions: Batcher[jobs.Submission, jobs.Enqueued]
    results: Batcher[tuple[UUID, str], jobs.StoredJob | None]


# A run's inputs, or how to derive them from the graph it runs (Langflow's v1 `input_value` and
# `tweaks` name components the graph knows).
Inputs = Mapping[str, Any] | Callable[[Graph, FlowSummary], Mapping[str, Any]]


@attrs.frozen
class PreparedRun:
    job_id: UUID
    flow_id: UUID
    # The job's insert, not yet awaited: a sync caller registers its waiter first.
    enqueue: Awaitable[jobs.Enqueued]


@attrs.frozen
class FlowVersion:
    """The version of an owner's flow a run is for, and its parsed graph."""

    summary: FlowSummary
    version: str
    graph: Graph


async def find_flow(services: RunServices, owner: str, flow_ref: str, flow_version: str | None) -> FlowVersion:
    """The owner's flow (`flow_ref`: id or endpoint name) at `flow_version`, else its current version."""
    flow = await services.flows.current(owner, flow_ref)
    if flow is None:
        raise NotFound("FLOW_NOT_FOUND", f"Flow {flow_ref} was not found.", flow_id=flow_ref)
    version = flow_version or flow.summary.version
    graph = flow.graph if version == flow.summary.version else await services.flows.version(
        owner, flow.summary.id, version)
    if graph is None:
        raise NotFound("FLOW_VERSION_NOT_FOUND", f"Flow {flow_ref} has no version {version}.",
                       flow_id=flow.summary.id)
    return FlowVersion(flow.summary, version, graph)


async def prepare(services: RunServices, owner: str, flow_ref: str, flow_version: str | None,
                  inputs: Inputs, *, idempotency_key: str | None = None,
                  secrets: Callable[[UUID], bytes | None] = lambda _: None) -> PreparedRun:
    """Check a run against the owner's flow (`flow_ref`: id or endpoint name) and start its insert."""
    flow = await find_flow(services, owner, flow_ref, flow_version)
    return start(services, owner, flow, inputs, idempotency_key=idempotency_key, secrets=secrets)


def start(services: RunServices, owner: str, flow: FlowVersion, inputs: Inputs, *,
          idempotency_key: str | None = None, secrets: Callable[[UUID], bytes | None] = lambda _: None,
          request: Mapping[str, Any] | None = None) -> PreparedRun:
    """Check a run's inputs against its flow and start its insert. `request` holds the options of a
    Langflow 1.13 body, kept with the job for the answers it gets later."""
    try:
        if callable(inputs):
            inputs = inputs(flow.graph, flow.summary)
        group_overrides(flow.graph, inputs)
    except InvalidInputs as problem:
        raise InvalidRun("INVALID_INPUTS", str(problem), flow_id=flow.summary.id, key=problem.key) from None
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_KEY_LENGTH:
        raise InvalidRun("INVALID_REQUEST", f"The idempotency_key must hold 1 to {MAX_KEY_LENGTH} characters.")
    job_id = jobs.new_id()
    submission = jobs.Submission(job_id, owner, flow.summary.id, flow.version, services.settings.max_attempts,
                                 inputs, secrets(job_id), idempotency_key, request)
    return PreparedRun(job_id, flow.summary.id, services.submissions.submit(submission))


async def enqueued(run: PreparedRun) -> jobs.Enqueued:
    """Wait for the run's insert. A keyed submission may land in an earlier job of the same key,
    which must be of the same flow."""
    done = await run.enqueue
    if done.flow_id != run.flow_id:
        raise Conflict("IDEMPOTENCY_KEY_REUSED", "This idempotency_key was already used to run another flow.",
                       job_id=done.job_id)
    return done
