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
    try:
        return structure_body(await read_json(request), cls)
    except InvalidBody as problem:
        raise ApiError(400, "INVALID_REQUEST", str(problem)) from None
