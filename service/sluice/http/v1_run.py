"""Langflow's v1 run API: `POST /api/v1/run/{flow_id_or_name}`, answered with a RunResponse or
(`?stream=true`, or `"stream": true` in the body) streamed in Langflow's v1 framing.

Each run is an ordinary job (sluice/runs): durable, visible to `GET /api/v2/workflows?job_id=`, and
its stream follows the job's event log, so it outlives the worker that started it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar
from uuid import UUID

import attrs
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from sluice.convert import InvalidBody, structure_body
from sluice.http.auth import require_owner
from sluice.http.bodies import read_json
from sluice.http.errors import ApiError
from sluice.http.feeds import JobFeeds
from sluice.http.params import query_flag
from sluice.http.responses import JSONResponse
from sluice.http.streams import HEADERS
from sluice.http.variables import sealed_variables
from sluice.runs import submit
from sluice.runs.results import wait_for_result
from sluice.runs.v1 import AdvancedRun, V1Run, combined_response, frame, run_response, stream_events
from sluice.store.jobs import LoggedEvent

# The body's fields; the advanced run's own choices come only through its own route.
_FIELDS = frozenset(field.name for field in attrs.fields(V1Run)) - {"input_components", "outputs"}
_ADVANCED_FIELDS = frozenset(field.name for field in attrs.fields(AdvancedRun))
T = TypeVar("T")
# A blank line: both clients skip it, and it keeps an idle connection open.
KEEPALIVE = b"\n"


async def read_langflow_body(request: Request, cls: type[T], fields: frozenset[str]) -> T:
    """The body as `cls`, from its `fields`: others are ignored, as Langflow ignores them; an empty
    body takes every default."""
    body = await read_json(request) if (await request.body()).strip() else {}
    if not isinstance(body, Mapping):
        raise ApiError(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    try:
        return structure_body({key: value for key, value in body.items() if key in fields}, cls)
    except InvalidBody as problem:
        raise ApiError(400, "INVALID_REQUEST", str(problem)) from None


async def read_run(request: Request) -> V1Run:
    return (await read_langflow_body(request, V1Run, _FIELDS)).checked()


async def run_flow(request: Request) -> Response:
    owner = await require_owner(request)
    return await start_run(request, owner, request.path_params["flow_id_or_name"], await read_run(request))


def _prepare(request: Request, owner: str, flow: submit.FlowVersion, run: V1Run) -> submit.PreparedRun:
    services = request.app.state.sluice
    return submit.start(services, owner, flow, run.job_inputs,
                        secrets=lambda job_id: sealed_variables(request, job_id, services.settings))


async def _result(request: Request, owner: str, flow: submit.FlowVersion, prepared: submit.PreparedRun,
                  run: V1Run) -> dict[str, Any]:
    services = request.app.state.sluice
    response = await wait_for_result(services, prepared.job_id, owner, prepared.enqueue,
                                     closing=services.shutdown.remaining)
    return run_response(response, flow.graph, run)


async def _v1_stream(feeds: JobFeeds, job_id: UUID, keepalive: float,
                     render: Callable[[LoggedEvent], bytes]) -> AsyncIterator[bytes]:
    async for batch in feeds.tail(job_id, 0, keepalive):
        yield KEEPALIVE if batch is None else b"".join(render(event) for event in batch)


async def start_run(request: Request, owner: str, flow_ref: str, run: V1Run) -> Response:
    services = request.app.state.sluice
    flow = await submit.find_flow(services, owner, flow_ref, None)
    prepared = _prepare(request, owner, flow, run)
    if run.stream or query_flag(request, "stream"):
        await submit.enqueued(prepared)
        flow_id = str(prepared.flow_id)

        def render(event: LoggedEvent) -> bytes:
            return frame(stream_events(event, flow.graph, run, flow_id))

        body = _v1_stream(services.feeds, prepared.job_id, services.settings.stream_keepalive, render)
        return StreamingResponse(body, media_type="text/event-stream", headers=HEADERS)
    return JSONResponse(await _result(request, owner, flow, prepared, run))


async def run_advanced(request: Request) -> Response:
    """`POST /api/v1/run/advanced/{flow}`: each input is a job of its own, all queued together; one
    RunResponse with a block per input. (`stream` only tells Langflow's components to stream.)"""
    owner = await require_owner(request)
    body = await read_langflow_body(request, AdvancedRun, _ADVANCED_FIELDS)
    runs = body.runs()
    flow = await submit.find_flow(request.app.state.sluice, owner, request.path_params["flow_id_or_name"], None)
    prepared = [_prepare(request, owner, flow, run) for run in runs]
    answers = await asyncio.gather(*(_result(request, owner, flow, each, run)
                                     for each, run in zip(prepared, runs, strict=True)))
    return JSONResponse(combined_response(list(answers)))
