"""Parameters of requests: boolean query flags, and ids in paths (a text that is not a UUID names
nothing that exists, so it answers as a missing one)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from starlette.requests import Request

from sluice.http.errors import ApiError

# FastAPI's words for a boolean query parameter, which Langflow's routes take.
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def query_flag(request: Request, name: str, default: bool = False) -> bool:
    text = request.query_params.get(name)
    if text is None:
        return default
    if text.lower() not in _TRUE | _FALSE:
        raise ApiError(400, "INVALID_REQUEST", f"The {name} parameter must be true or false.")
    return text.lower() in _TRUE


def uuid_or_missing(text: str, missing: Callable[[str], Exception]) -> UUID:
    """`text` as a UUID, else `missing(text)` is raised (the resource's own 404)."""
    try:
        return UUID(text)
    except ValueError:
        raise missing(text) from None
