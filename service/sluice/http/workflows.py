"""The Workflow API (v2): run a flow (sync, background or streamed), read or follow a job, stop a job."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from sluice.convert import converter, iso_timestamp
from sluice.engine.inputs import InvalidInputs, group_overrides
from sluice.http.auth import require_owner
from sluice.http.bodies import MAX_KEY_LENGTH, RunRequest, StopRequest, read_body
from sluice.http.errors import ApiError
from sluice.http.responses import JSONResponse
from sluice.http.streams import event_stream, job_stream, resume_after
from sluice.http.variables import sealed_variables
from sluice.models import ExecutionResponse
from sluice.store import jobs
from sluice.store.jobs import StoredJob

# A sync waiter re-reads its job this often even without a NOTIFY, in case one was lost.
RECHECK_SECONDS = 5.0


def _require_developer_api(request: Request) -> None:
    if not request.app.state.sluice.settings.developer_api:
        raise ApiError(404, "DEVELOPER_API_DISABLED", "The workflow API is disabled on this server.")


def _job_id(text: str | None) -> UUID:
    if not text:
        raise ApiError(400, "INVALID_REQUEST", "The job_id is required.")
    try:
        return UUID(text)
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST", "The job_id must be a UUID.", job_id=text) from None


def _flag(request: Request, name: str) -> bool:
    text = request.query_params.get(name, "false").lower()
    if text not in ("true", "false", "1", "0"):
        raise ApiError(400, "INVALID_REQUEST", f"The {name} parameter must be true or false.")
    return text in ("true", "1")


def _job_not_found(job_id: UUID) -> ApiError:
    return ApiError(404, "JOB_NOT_FOUND", f"Job {job_id} was not found.", job_id=job_id)


def _response_body(stored: StoredJob) -> Any:
    if stored.response is not None:
        return stored.response
    return converter.unstructure(ExecutionResponse.of(stored.job, stored.job.status))


async def run_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    body: RunRequest = await read_body(request, RunRequest)
    if body.background and body.stream:
        raise ApiError(400, "INVALID_REQUEST", "A run cannot be both `background` and `stream`.")
    job_id, flow_id, enqueue = await queue_run(
        services, owner, body.flow_id, body.flow_version, body.inputs, idempotency_key=body.idempotency_key,
        secrets=lambda job_id: sealed_variables(request, job_id, services.settings))
    if body.background or body.stream or body.idempotency_key is not None:
        # A keyed submission may land in an earlier job: its id is known only once the insert ran.
        enqueued = _checked(await enqueue, flow_id)
        job_id = enqueued.job_id
        enqueue = None
    if body.background:
        return JSONResponse({
            "job_id": str(job_id),
            "flow_id": str(flow_id),
            "object": "job",
            "created_timestamp": iso_timestamp(enqueued.created_at),
            "status": enqueued.status.value,
            "errors": [],
            "links": {"status": f"/api/v2/workflows?job_id={job_id}", "stop": "/api/v2/workflows/stop"},
        })
    if body.stream:
        return event_stream(request, job_id, after=0)
    return JSONResponse(await _wait_for_result(request, job_id, owner, enqueue))


async def queue_run(services: Any, owner: str, flow_ref: str, flow_version: str | None,
                    inputs: Mapping[str, Any], *, idempotency_key: str | None = None,
                    secrets: Callable[[UUID], bytes | None] = lambda _: None,
                    ) -> tuple[UUID, UUID, Awaitable[jobs.Enqueued]]:
    """Check a run against its flow and return (job id, flow id, the job's insert, not yet awaited:
    a sync caller registers its waiter first)."""
    flow = await services.flows.current(owner, flow_ref)
    if flow is None:
        raise ApiError(404, "FLOW_NOT_FOUND", f"Flow {flow_ref} was not found.", flow_id=flow_ref)
    version = flow_version or flow.summary.version
    graph = flow.graph if version == flow.summary.version else await services.flows.version(
        owner, flow.summary.id, version)
    if graph is None:
        raise ApiError(404, "FLOW_VERSION_NOT_FOUND", f"Flow {flow_ref} has no version {version}.",
                       flow_id=flow.summary.id)
    try:
        group_overrides(graph, inputs)
    except InvalidInputs as problem:
        raise ApiError(400, "INVALID_INPUTS", str(problem), flow_id=flow.summary.id, key=problem.key) from None
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_KEY_LENGTH:
        raise ApiError(400, "INVALID_REQUEST",
                       f"The idempotency_key must hold 1 to {MAX_KEY_LENGTH} characters.")
    job_id = uuid.uuid4()
    submission = jobs.Submission(job_id, owner, flow.summary.id, version, services.settings.max_attempts, inputs,
                                 secrets(job_id), idempotency_key)
    return job_id, flow.summary.id, services.submissions.submit(submission)


def _checked(enqueued: jobs.Enqueued, flow_id: UUID) -> jobs.Enqueued:
    if enqueued.flow_id != flow_id:
        raise ApiError(409, "IDEMPOTENCY_KEY_REUSED",
                       "This idempotency_key was already used to run another flow.", job_id=enqueued.job_id)
    return enqueued


async def _wait_for_result(request: Request, job_id: UUID, owner: str, enqueue: Any) -> Any:
    services = request.app.state.sluice
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.settings.sync_timeout
    while True:
        # Registered before the insert (and again before each re-read), so no NOTIFY slips between.
        finished = services.waiters.register(job_id)
        try:
            if enqueue is not None:
                await enqueue
                enqueue = None
            else:
                stored = await services.results.submit((job_id, owner))
                if stored is not None and stored.job.status.is_terminal:
                    return _response_body(stored)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ApiError(408, "EXECUTION_TIMEOUT",
                               "The flow did not finish in time; fetch its result later with the job_id.",
                               job_id=job_id)
            closing = services.shutdown.remaining()
            if closing is not None and closing <= 0:
                raise ApiError(503, "SHUTTING_DOWN",
                               "This API process is shutting down; the job goes on, fetch its result with the job_id.",
                               job_id=job_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished, timeout=min(remaining, RECHECK_SECONDS, closing or RECHECK_SECONDS))
        finally:
            services.waiters.discard(job_id, finished)


async def get_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    job_id = _job_id(request.query_params.get("job_id"))
    stream = _flag(request, "stream")
    after = resume_after(request)
    stored = await services.results.submit((job_id, owner))
    if stored is None:
        raise _job_not_found(job_id)
    if stream:
        return job_stream(request, stored.job, after)
    return JSONResponse(_response_body(stored))


async def stop_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    body: StopRequest = await read_body(request, StopRequest)
    return JSONResponse(await stop_job(services, owner, body.job_id))


async def stop_job(services: Any, owner: str, job_id: UUID) -> dict[str, str]:
    """Cancel the owner's job unless it already ended; the stop endpoint's answer."""
    try:
        status, cancelled = await jobs.stop(services.pool, job_id, owner, services.settings.lease_seconds)
    except jobs.NotFound:
        raise _job_not_found(job_id) from None
    if cancelled:
        return {"job_id": str(job_id), "status": status.value, "message": f"Job {job_id} cancelled successfully."}
    return {"job_id": str(job_id), "status": status.value,
            "message": f"Job {job_id} is already {status.value}; nothing to stop."}
