"""Liveness and readiness, for load balancers and orchestrators (no API key needed)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sluice.http.errors import DATABASE_UNAVAILABLE, error_response
from sluice.http.responses import JSONResponse
from sluice.store import migrate


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    try:
        async with request.app.state.sluice.pool.acquire(timeout=2) as conn:
            applied = await migrate.applied_version(conn)
    except DATABASE_UNAVAILABLE:
        return error_response(503, "DATABASE_UNAVAILABLE", "The database is unreachable.")
    if applied < migrate.latest_version():
        return error_response(503, "SCHEMA_OUTDATED", "The database schema is behind; run `sluice migrate`.")
    return JSONResponse({"status": "ready", "schema_version": applied})
