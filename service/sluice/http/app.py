"""The Starlette application: routes, error handlers, and the per-process services they share."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import attrs
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from sluice import db
from sluice.config import Settings
from sluice.http import flows, health, workflows
from sluice.http.auth import KeyCache
from sluice.http.errors import handlers
from sluice.http.flow_cache import FlowCache
from sluice.http.limits import BodySizeLimit
from sluice.http.waiters import JobWaiters
from sluice.notifications import Listener


@attrs.define
class Services:
    settings: Settings
    pool: asyncpg.Pool
    keys: KeyCache
    flows: FlowCache
    waiters: JobWaiters


def routes() -> list[Route]:
    return [
        Route("/health", health.health, methods=["GET"]),
        Route("/health/ready", health.ready, methods=["GET"]),
        Route("/api/v1/flows/", flows.create_flow, methods=["POST"]),
        Route("/api/v1/flows/", flows.list_flows, methods=["GET"]),
        Route("/api/v1/flows", flows.create_flow, methods=["POST"]),
        Route("/api/v1/flows", flows.list_flows, methods=["GET"]),
        Route("/api/v1/flows/{flow_id}", flows.read_flow, methods=["GET"]),
        Route("/api/v1/flows/{flow_id}", flows.update_flow, methods=["PUT"]),
        Route("/api/v1/flows/{flow_id}", flows.delete_flow, methods=["DELETE"]),
        Route("/api/v1/flows/{flow_id}/versions", flows.list_versions, methods=["GET"]),
        Route("/api/v2/workflows", workflows.run_workflow, methods=["POST"]),
        Route("/api/v2/workflows", workflows.get_workflow, methods=["GET"]),
        Route("/api/v2/workflows/stop", workflows.stop_workflow, methods=["POST"]),
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await db.create_pool(settings.database_url, min_size=1, max_size=settings.pool_size)
        services = Services(settings, pool, KeyCache(pool), FlowCache(pool), JobWaiters())

        def after_reconnect() -> None:
            # Notifications may have been missed while the connection was down.
            services.keys.clear()
            services.flows.clear()
            services.waiters.wake_all()

        listener = Listener(
            settings.database_url,
            {
                "sluice_job": services.waiters.on_notify,
                "sluice_keys": services.keys.forget,
                "sluice_flows": services.flows.forget,
            },
            on_reconnect=after_reconnect,
        )
        await listener.start()
        app.state.sluice = services
        try:
            yield
        finally:
            await listener.stop()
            await pool.close()

    return Starlette(
        routes=routes(),
        middleware=[Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)],
        exception_handlers=handlers(),
        lifespan=lifespan,
    )
