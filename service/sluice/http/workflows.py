"""The Workflow API (v2): run a flow (sync, background or streamed), read or follow a job, stop a job.

A run's body is the documented form or Langflow 1.13's (http/native_run.py); both become the same
durable job, and each is answered in its own form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from sluice.convert import converter, iso_timestamp
from sluice.engine.graph import Graph
from sluice.http import langflow_events, native_run
from sluice.http.auth import require_owner
from sluice.http.bodies import (
    NativeRunRequest,
    ResumeRequest,
    RunRequest,
    StopRequest,
    parse_body,
    read_body,
    read_json,
)
from sluice.http.errors import ApiError, error_response
from sluice.http.native_run import NativeOptions
from sluice.http.params import query_flag, uuid_or_missing
from sluice.http.responses import JSONResponse
from sluice.http.streams import event_stream, job_stream, resume_after
from sluice.http.variables import sealed_variables
from sluice.models import JobStatus
from sluice.runs import control, submit
from sluice.runs import pauses as run_pauses
from sluice.runs.errors import job_not_found
from sluice.runs.results import langflow_fields, response_body, wait_for_result
from sluice.store import pauses
from sluice.store.jobs import StoredJob


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


async def run_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    raw = await read_json(request)
    if native_run.is_native(raw):
        return await _run_native(request, owner, parse_body(raw, NativeRunRequest))
    body: RunRequest = parse_body(raw, RunRequest)
    if body.background and body.stream:
        raise ApiError(400, "INVALID_REQUEST", "A run cannot be both `background` and `stream`.")
    run = await submit.prepare(
        services, owner, body.flow_id, body.flow_version, body.inputs, idempotency_key=body.idempotency_key,
        secrets=lambda job_id: sealed_variables(request, job_id, services.settings))
    mode = "background" if body.background else "stream" if body.stream else "sync"
    return await _answer(request, owner, run, mode, keyed=body.idempotency_key is not None,
                         result=_as_documented,
                         stream=lambda job_id: event_stream(request, job_id, after=0))


async def _run_native(request: Request, owner: str, body: NativeRunRequest) -> Response:
    """A run in Langflow 1.13's body (http/native_run.py), answered as 1.13 answers it."""
    services = request.app.state.sluice
    answering = native_run.options(body)
    flow = await submit.find_flow(services, owner, body.flow_id, body.flow_version)
    native_run.check_output_ids(body.output_ids, flow.graph)
    run = submit.start(
        services, owner, flow, native_run.run_inputs(body, flow.graph), idempotency_key=body.idempotency_key,
        secrets=lambda job_id: sealed_variables(request, job_id, services.settings, body.globals),
        request=converter.unstructure(answering))
    async def result(response: Any) -> Any:
        answer = langflow_fields(response, flow.graph, answering.output_ids, answering.session_id)
        if answer["status"] == JobStatus.SUSPENDED.value:
            # As 1.13's sync answer: the request the run waits on (resume it by job id).
            pause = await pauses.read(services.pool, UUID(answer["job_id"]))
            answer["human_request"] = pause.request if pause is not None else None
        return answer

    return await _answer(
        request, owner, run, answering.mode, keyed=body.idempotency_key is not None, result=result,
        stream=lambda job_id: langflow_events.stream(request, job_id, _framing(job_id, flow.graph, answering,
                                                                               run.flow_id), after=0))


async def _as_documented(response: Any) -> Any:
    return response


async def _answer(request: Request, owner: str, run: submit.PreparedRun, mode: str, *, keyed: bool,
                  result: Callable[[Any], Awaitable[Any]], stream: Callable[[UUID], Response]) -> Response:
    """Answer a submitted run in its mode: its `result` once done (sync), its job (background), or
    its event `stream`."""
    services = request.app.state.sluice
    if mode == "sync" and not keyed:
        return JSONResponse(await result(await wait_for_result(services, run.job_id, owner, run.enqueue,
                                                               closing=services.shutdown.remaining)))
    # A keyed submission may land in an earlier job: its id is known only once the insert ran.
    enqueued = await submit.enqueued(run)
    if mode == "background":
        return JSONResponse(_job_body(enqueued.job_id, run.flow_id, enqueued.created_at, enqueued.status.value))
    if mode == "stream":
        return stream(enqueued.job_id)
    return JSONResponse(await result(await wait_for_result(services, enqueued.job_id, owner, None,
                                                           closing=services.shutdown.remaining)))


def _job_body(job_id: UUID, flow_id: UUID, created_at: datetime, status: str) -> dict[str, Any]:
    return {
        "job_id": str(job_id),
        "flow_id": str(flow_id),
        "object": "job",
        "created_timestamp": iso_timestamp(created_at),
        "status": status,
        "errors": [],
        "links": {"status": f"/api/v2/workflows?job_id={job_id}", "events": f"/api/v2/workflows/{job_id}/events",
                  "stop": "/api/v2/workflows/stop"},
    }


def _framing(job_id: UUID, graph: Graph | None, answering: NativeOptions | None,
             flow_id: UUID) -> langflow_events.Framing:
    """A job's 1.13 event framing: as its body asked, else `langflow` with the graph's state."""
    if answering is None:
        return langflow_events.protocol(job_id, graph, "langflow", None, str(flow_id))
    return langflow_events.protocol(job_id, graph, answering.stream_protocol, answering.expose_graph_state,
                                    answering.session_id or str(flow_id))


async def get_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    job_id = _job_id(request.query_params.get("job_id"))
    stream = query_flag(request, "stream")
    after = resume_after(request)
    stored = await services.results.submit((job_id, owner))
    if stored is None:
        raise job_not_found(job_id)
    if stream:
        return job_stream(request, stored.job, after)
    answering = native_run.stored_options(stored.request)
    if answering is None:
        return JSONResponse(response_body(stored))
    return await _native_status(services, stored, answering)


async def _native_status(services: Any, stored: StoredJob, answering: NativeOptions) -> Response:
    """The status of a job submitted in the 1.13 body, in 1.13's codes: a failed job is a 500, a
    timed-out one a 408, one not yet done its job object."""
    job = stored.job
    if job.status is JobStatus.COMPLETED and stored.response is not None:
        graph = await services.flows.version(job.owner, job.flow_id, job.flow_version)
        return JSONResponse(langflow_fields(stored.response, graph, answering.output_ids, answering.session_id))
    errors = (stored.response or {}).get("errors", [])
    if job.status in (JobStatus.FAILED, JobStatus.ERROR):
        return error_response(500, "JOB_FAILED", f"Job {job.id} has failed execution.", job_id=str(job.id),
                              error_detail=errors[0] if errors else None)
    if job.status is JobStatus.TIMED_OUT:
        return error_response(408, "EXECUTION_TIMEOUT", "Workflow execution timed out.", job_id=str(job.id),
                              flow_id=str(job.flow_id))
    return JSONResponse(_job_body(job.id, job.flow_id, job.created_at, job.status.value))


async def workflow_events(request: Request) -> Response:
    """GET /api/v2/workflows/{job_id}/events: the job's events in 1.13's framing, after `Last-Event-ID`."""
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    job_id = uuid_or_missing(request.path_params["job_id"], job_not_found)
    after = resume_after(request)
    stored = await services.results.submit((job_id, owner))
    if stored is None:
        raise job_not_found(job_id)
    job = stored.job
    if after > job.event_seq:
        raise ApiError(400, "INVALID_REQUEST",
                       f"The Last-Event-ID {after} is past the job's last event ({job.event_seq}).", job_id=job.id)
    graph = await services.flows.version(owner, job.flow_id, job.flow_version)
    framing = _framing(job.id, graph, native_run.stored_options(stored.request), job.flow_id)
    return langflow_events.stream(request, job.id, framing, after)


async def stop_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    body: StopRequest = await read_body(request, StopRequest)
    stored = await services.results.submit((body.job_id, owner))
    answering = native_run.stored_options(stored.request) if stored is not None else None
    if answering is not None and answering.mode != "background":
        # 1.13 stops background runs only; the documented form stops any job.
        raise ApiError(409, "JOB_NOT_CANCELLABLE", "Only background workflow jobs can be stopped.",
                       job_id=body.job_id, mode=answering.mode)
    stopped = await control.stop(services.pool, owner, body.job_id, services.settings.lease_seconds)
    return JSONResponse(stopped.answer())


async def list_pending(request: Request) -> Response:
    """GET /api/v2/workflows/pending?flow_id=: the owner's suspended jobs of a flow and their requests."""
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    text = request.query_params.get("flow_id")
    try:
        flow_id = UUID(text or "")
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST", "The flow_id query parameter must be a flow's UUID.") from None
    return JSONResponse(await run_pauses.pending(services.pool, owner, flow_id))


async def resume_workflow(request: Request) -> Response:
    """POST /api/v2/workflows/{job_id}/resume: answer a suspended job; it is queued to go on."""
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    job_id = uuid_or_missing(request.path_params["job_id"], job_not_found)
    body: ResumeRequest = await read_body(request, ResumeRequest)
    return JSONResponse(await run_pauses.resume(services.pool, owner, job_id, body.request_id, body.decision))
