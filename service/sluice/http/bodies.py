"""Request bodies as attrs classes, built from JSON by the one converter (unknown fields refused)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs
import orjson
from starlette.requests import Request

from sluice.convert import InvalidBody, structure_body
from sluice.http.errors import ApiError


@attrs.frozen
class RunRequest:
    flow_id: str
    flow_version: str | None = None
    background: bool = False
    stream: bool = False
    inputs: dict[str, Any] = attrs.field(factory=dict)
    # A repeat with the same key from the same owner returns the original job instead of a new one.
    idempotency_key: str | None = None


@attrs.frozen
class NativeRunRequest:
    """Langflow 1.13's body of the same route (`WorkflowRunRequest`); http/native_run.py translates it."""

    flow_id: str
    flow_version: str | None = None
    input_value: str = ""
    tweaks: dict[str, Any] = attrs.field(factory=dict)
    session_id: str | None = None
    mode: str = "sync"
    stream_protocol: str = "langflow"
    expose_graph_state: bool | None = None
    output_ids: list[str] | None = None
    globals: dict[str, str] = attrs.field(factory=dict)
    idempotency_key: str | None = None
    # Accepted by 1.13 and refused here by name when set (see http/native_run.py).
    data: dict[str, Any] | None = None
    files: list[str] | None = None
    start_component_id: str | None = None
    stop_component_id: str | None = None


@attrs.frozen
class ResumeRequest:
    """POST /api/v2/workflows/{job_id}/resume: the answer to a suspended job's request."""

    request_id: str
    # `{action_id, values?}`
    decision: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class StopRequest:
    job_id: UUID


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "INVALID_JSON", "The request body is empty; send a JSON object.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "INVALID_JSON", "The request body is not valid JSON.") from None


async def read_body(request: Request, cls: type[Any]) -> Any:
    return parse_body(await read_json(request), cls)


def parse_body(body: Any, cls: type[Any]) -> Any:
    """`cls` from a decoded body, or a 400 naming the field that does not fit."""
    try:
        return structure_body(body, cls)
    except InvalidBody as problem:
        raise ApiError(400, "INVALID_REQUEST", str(problem)) from None
