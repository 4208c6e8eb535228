"""The Workflow API (v2): run a flow (sync, background or streamed), read or follow a job, stop a job."""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from sluice.convert import iso_timestamp
from sluice.http.auth import require_owner
from sluice.http.bodies import RunRequest, StopRequest, read_body
from sluice.http.errors import ApiError
from sluice.http.responses import JSONResponse
from sluice.http.streams import event_stream, job_stream, resume_after
from sluice.http.variables import sealed_variables
from sluice.runs import control, submit
from sluice.runs.errors import job_not_found
from sluice.runs.results import response_body, wait_for_result


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


async def run_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    body: RunRequest = await read_body(request, RunRequest)
    if body.background and body.stream:
        raise ApiError(400, "INVALID_REQUEST", "A run cannot be both `background` and `stream`.")
    run = await submit.prepare(
        services, owner, body.flow_id, body.flow_version, body.inputs, idempotency_key=body.idempotency_key,
        secrets=lambda job_id: sealed_variables(request, job_id, services.settings))
    if not (body.background or body.stream or body.idempotency_key is not None):
        return JSONResponse(await wait_for_result(services, run.job_id, owner, run.enqueue,
                                                  closing=services.shutdown.remaining))
    # A keyed submission may land in an earlier job: its id is known only once the insert ran.
    enqueued = await submit.enqueued(run)
    job_id = enqueued.job_id
    if body.background:
        return JSONResponse({
            "job_id": str(job_id),
            "flow_id": str(run.flow_id),
            "object": "job",
            "created_timestamp": iso_timestamp(enqueued.created_at),
            "status": enqueued.status.value,
            "errors": [],
            "links": {"status": f"/api/v2/workflows?job_id={job_id}", "stop": "/api/v2/workflows/stop"},
        })
    if body.stream:
        return event_stream(request, job_id, after=0)
    return JSONResponse(await wait_for_result(services, job_id, owner, None, closing=services.shutdown.remaining))


async def get_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    job_id = _job_id(request.query_params.get("job_id"))
    stream = _flag(request, "stream")
    after = resume_after(request)
    stored = await services.results.submit((job_id, owner))
    if stored is None:
        raise job_not_found(job_id)
    if stream:
        return job_stream(request, stored.job, after)
    return JSONResponse(response_body(stored))


async def stop_workflow(request: Request) -> Response:
    _require_developer_api(request)
    services = request.app.state.sluice
    owner = await require_owner(request)
    body: StopRequest = await read_body(request, StopRequest)
    stopped = await control.stop(services.pool, owner, body.job_id, services.settings.lease_seconds)
    return JSONResponse(stopped.answer())
