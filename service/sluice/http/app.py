"""The Starlette application: routes, error handlers, and the per-process services they share."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from uuid import UUID

import asyncpg
import attrs
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from sluice import db
from sluice.batching import Batcher
from sluice.config import Settings
from sluice.http import (
    files,
    flows,
    health,
    knowledge_bases,
    memories,
    metrics,
    openapi,
    projects,
    v1_run,
    webhook,
    workflows,
)
from sluice.http.auth import KeyCache
from sluice.http.errors import handlers
from sluice.http.feeds import JobFeeds
from sluice.http.limits import BodySizeLimit
from sluice.http.metrics import RequestTimer
from sluice.http.shutdown import Shutdown
from sluice.notifications import Listener, job_changes
from sluice.runs.flow_cache import FlowCache
from sluice.runs.waiters import JobWaiters
from sluice.store import jobs
from sluice.ui import routes as ui_routes


@attrs.define
class Services:
    settings: Settings
    pool: asyncpg.Pool
    keys: KeyCache
    flows: FlowCache
    waiters: JobWaiters
    feeds: JobFeeds
    shutdown: Shutdown
    # Runs submitted at about the same time are inserted together, and the results that sync waiters
    # and polls ask for at about the same time are read together (sluice/batching.py).
    submissions: Batcher[jobs.Submission, jobs.Enqueued]
    results: Batcher[tuple[UUID, str], jobs.StoredJob | None]


Endpoint = Callable[[Request], Awaitable[Response]]

# Every route: its path and its handler for each method. /openapi.json describes each one, and a
# test keeps the two in step.
ROUTES: tuple[tuple[str, dict[str, Endpoint]], ...] = (
    ("/health", {"GET": health.health}),
    ("/health/ready", {"GET": health.ready}),
    ("/metrics", {"GET": metrics.metrics_text}),
    ("/openapi.json", {"GET": openapi.document}),
    ("/api/v1/flows/", {"GET": flows.list_flows, "POST": flows.create_flow}),
    ("/api/v1/flows", {"GET": flows.list_flows, "POST": flows.create_flow}),
    ("/api/v1/flows/upload/", {"POST": flows.upload_flows}),
    ("/api/v1/flows/{flow_id}", {"GET": flows.read_flow, "PUT": flows.upsert_flow, "PATCH": flows.patch_flow,
                                 "DELETE": flows.delete_flow}),
    ("/api/v1/flows/{flow_id}/versions", {"GET": flows.list_versions}),
    ("/api/v1/projects/", {"GET": projects.list_projects, "POST": projects.create_project}),
    ("/api/v1/projects/upload/", {"POST": projects.upload_project}),
    ("/api/v1/projects/download/{project_id}", {"GET": projects.download_project}),
    ("/api/v1/projects/{project_id}", {"GET": projects.read_project, "PATCH": projects.update_project,
                                       "DELETE": projects.delete_project}),
    ("/api/v1/run/advanced/{flow_id_or_name}", {"POST": v1_run.run_advanced}),
    ("/api/v1/run/{flow_id_or_name}", {"POST": v1_run.run_flow}),
    ("/api/v1/webhook/{flow_id_or_name}", {"POST": webhook.run_webhook}),
    ("/api/v2/workflows", {"GET": workflows.get_workflow, "POST": workflows.run_workflow}),
    ("/api/v2/workflows/stop", {"POST": workflows.stop_workflow}),
    ("/api/v2/workflows/pending", {"GET": workflows.list_pending}),
    ("/api/v2/workflows/{job_id}/events", {"GET": workflows.workflow_events}),
    ("/api/v2/workflows/{job_id}/resume", {"POST": workflows.resume_workflow}),
    ("/api/v1/files/upload/{flow_id}", {"POST": files.upload_flow_file}),
    ("/api/v2/files", {"GET": files.list_files, "POST": files.upload_file}),
    ("/api/v2/files/", {"GET": files.list_files, "POST": files.upload_file}),
    ("/api/v2/files/{file_id}", {"GET": files.download_file, "DELETE": files.delete_file}),
    ("/api/v1/knowledge_bases", {"GET": knowledge_bases.list_knowledge_bases,
                                 "POST": knowledge_bases.create_knowledge_base}),
    ("/api/v1/knowledge_bases/", {"GET": knowledge_bases.list_knowledge_bases,
                                  "POST": knowledge_bases.create_knowledge_base}),
    ("/api/v1/knowledge_bases/{kb_name}", {"GET": knowledge_bases.get_knowledge_base,
                                           "DELETE": knowledge_bases.delete_knowledge_base}),
    ("/api/v1/knowledge_bases/{kb_name}/ingest", {"POST": knowledge_bases.ingest_files}),
    ("/api/v1/knowledge_bases/{kb_name}/chunks", {"GET": knowledge_bases.list_chunks}),
    ("/api/v1/memories", {"GET": memories.list_memory_bases, "POST": memories.create_memory_base}),
    ("/api/v1/memories/", {"GET": memories.list_memory_bases, "POST": memories.create_memory_base}),
    ("/api/v1/memories/{memory_base_id}", {"GET": memories.get_memory_base,
                                           "DELETE": memories.delete_memory_base}),
)


def _by_method(handlers: dict[str, Endpoint]) -> Endpoint:
    """One endpoint per path, so that a 405 lists every method the path allows."""
    if len(handlers) == 1:
        return next(iter(handlers.values()))

    async def endpoint(request: Request) -> Response:
        return await handlers["GET" if request.method == "HEAD" else request.method](request)

    return endpoint


def routes() -> list[Route]:
    return [Route(path, _by_method(handlers), methods=list(handlers)) for path, handlers in ROUTES]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await db.create_pool(settings.database_url, min_size=1, max_size=settings.pool_size)
        submissions = Batcher(partial(jobs.enqueue, pool), max_batch=100, key=jobs.idempotency_scope)
        results = Batcher(partial(jobs.read_many, pool), max_batch=100)
        services = Services(settings, pool, KeyCache(pool), FlowCache(pool), JobWaiters(), JobFeeds(pool),
                            Shutdown(settings.shutdown_grace), submissions, results)

        def job_changed(payload: str) -> None:
            changes = job_changes(payload)
            services.waiters.on_changes(changes)
            services.feeds.on_changes(changes)

        def after_reconnect() -> None:
            # Notifications may have been missed while the connection was down.
            services.keys.clear()
            services.flows.clear()
            services.waiters.wake_all()
            services.feeds.wake_all()

        listener = Listener(
            settings.listen_url,
            {
                "sluice_job": job_changed,
                "sluice_keys": services.keys.forget,
                "sluice_flows": services.flows.forget,
            },
            on_reconnect=after_reconnect,
        )
        await listener.start()
        def shutting_down() -> None:
            # Sync waiters re-check at once, now bounded by the time left to answer; streams end.
            services.waiters.wake_all()
            services.feeds.close_all()

        services.shutdown.install(shutting_down)
        app.state.sluice = services
        try:
            yield
        finally:
            await listener.stop()
            await pool.close()

    return Starlette(
        routes=[*routes(), Mount("/ui", routes=ui_routes.router())],
        middleware=[Middleware(RequestTimer), Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)],
        exception_handlers=handlers(),
        lifespan=lifespan,
    )
