"""Every error answers `{"detail": "<one sentence>", "code": "<UPPER_SNAKE>", ...ids}`; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from sluice import db
from sluice.http.responses import JSONResponse
from sluice.runs.errors import (
    Conflict,
    InvalidDecision,
    InvalidRun,
    NotFound,
    RunError,
    RunFailed,
    ShuttingDown,
    StillRunning,
)

log = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = db.UNAVAILABLE

# Text PostgreSQL cannot store: a caller sent a NUL character (`\u0000`), which no text or jsonb value
# may hold.
UNSTORABLE_TEXT = (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError)


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, **ids: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.ids = {key: str(value) for key, value in ids.items() if value is not None}


def error_response(status: int, code: str, detail: str, **ids: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, **ids}, status_code=status)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, **exc.ids)


# The status code of each kind of run error (sluice/runs/errors.py).
RUN_ERROR_STATUS: dict[type[RunError], int] = {
    NotFound: 404, InvalidRun: 400, Conflict: 409, InvalidDecision: 422, StillRunning: 408, ShuttingDown: 503,
    RunFailed: 500,
}


def run_error_status(exc: RunError) -> int:
    return next(status for kind, status in RUN_ERROR_STATUS.items() if isinstance(exc, kind))


async def run_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RunError)
    return error_response(run_error_status(exc), exc.code, exc.detail, **exc.ids)


_HTTP_CODES = {
    404: ("NOT_FOUND", "No route matches this path."),
    405: ("METHOD_NOT_ALLOWED", "This route does not accept that HTTP method."),
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, detail = _HTTP_CODES.get(exc.status_code, ("HTTP_ERROR", str(exc.detail)))
    response = error_response(exc.status_code, code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def database_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "DATABASE_UNAVAILABLE", "The database is unavailable; try again shortly.")


async def unstorable_text(request: Request, exc: Exception) -> Response:
    return error_response(400, "INVALID_REQUEST",
                          "The request holds a character that cannot be stored (the NUL character, \\u0000).")


async def unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "INTERNAL_ERROR", "Sluice hit an unexpected error; it has been logged.")


def handlers() -> dict[Any, Any]:
    found: dict[Any, Any] = {ApiError: api_error, RunError: run_error, HTTPException: http_error,
                             Exception: unexpected}
    for kind in DATABASE_UNAVAILABLE:
        found[kind] = database_unavailable
    for kind in UNSTORABLE_TEXT:
        found[kind] = unstorable_text
    return found
