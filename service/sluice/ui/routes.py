"""Dashboard pages and actions. Every page shows only the signed-in owner's data; every action is a
POST carrying the session's CSRF token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from sluice.convert import converter
from sluice.http.downloads import file_response
from sluice.http.streams import job_stream, resume_after
from sluice.models import ExecutionResponse, JobStatus
from sluice.runs import control, submit
from sluice.runs import pauses as run_pauses
from sluice.runs.errors import NotFound, RunError
from sluice.store import dashboard, flows, jobs, pauses
from sluice.ui import session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["json"] = lambda value: orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
PAGE_SIZE = 50
INPUT_TYPES = ("ChatInput", "TextInput")

Page = Callable[[Request, str], Awaitable[Response]]


def signed_in(page: Page) -> Callable[[Request], Awaitable[Response]]:
    """Run `page` for the signed-in owner; anyone else is sent to the sign-in page."""
    async def endpoint(request: Request) -> Response:
        try:
            owner = await session.owner(request)
        except session.NoSecretKey as problem:
            return _render(request, "message.html", {"title": "Dashboard unavailable", "text": str(problem)}, 503)
        if owner is None:
            return RedirectResponse("/ui/signin", status_code=303)
        if request.method == "POST":
            form = await request.form()
            if not session.csrf_ok(request, form.get("csrf")):
                return _render(request, "message.html", {"title": "Refused",
                               "text": "This form has expired or did not come from this dashboard."}, 403)
        try:
            response = await page(request, owner)
        except NotFound:
            return _not_found(request)
        except RunError as error:
            return _render(request, "message.html", {"title": "Refused", "text": error.detail}, 409)
        session.refresh(request, response)
        return response
    return endpoint


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    base = {"csrf": session.csrf_token(request) if request.app.state.sluice.settings.secret_key else ""}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _not_found(request: Request) -> Response:
    return _render(request, "message.html", {"title": "Not found", "text": "There is nothing here."}, 404)


def _uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise NotFound("NOT_FOUND", "Not found.") from None


async def signin_page(request: Request) -> Response:
    return _render(request, "signin.html", {"error": None})


async def signin(request: Request) -> Response:
    form = await request.form()
    key = str(form.get("api_key") or "").strip()
    try:
        owner = await request.app.state.sluice.keys.owner(key) if key else None
        if owner is None:
            return _render(request, "signin.html", {"error": "That API key is not valid."}, 401)
        response = RedirectResponse("/ui/", status_code=303)
        session.start(request, response, key)
    except session.NoSecretKey as problem:
        return _render(request, "message.html", {"title": "Dashboard unavailable", "text": str(problem)}, 503)
    return response


async def signout(request: Request, owner: str) -> Response:
    response = RedirectResponse("/ui/signin", status_code=303)
    session.end(request, response)
    return response


async def overview(request: Request, owner: str) -> Response:
    services = request.app.state.sluice
    counts = await dashboard.job_counts(services.pool, owner)
    return _render(request, "overview.html", {
        "owner": owner,
        "counts": {status.value: counts.get(status.value, 0) for status in JobStatus},
        "queues": await dashboard.queue_by_flow(services.pool, owner),
        "throughput": await dashboard.throughput(services.pool, owner, 10),
        "workers": await dashboard.workers(services.pool, owner, services.settings.lease_seconds),
    })


async def job_list(request: Request, owner: str) -> Response:
    query = request.query_params
    status = query.get("status") or None
    if status is not None and status not in {s.value for s in JobStatus}:
        status = None
    flow_id = _uuid(query["flow"]) if query.get("flow") else None
    before = None
    if query.get("before_time") and query.get("before_id"):
        try:
            before = (datetime.fromisoformat(query["before_time"]), UUID(query["before_id"]))
        except ValueError:
            before = None
    services = request.app.state.sluice
    rows = await dashboard.list_jobs(services.pool, owner, status=status, flow_id=flow_id, before=before,
                                     limit=PAGE_SIZE + 1)
    return _render(request, "jobs.html", {
        "owner": owner, "jobs": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE, "status": status,
        "flow": flow_id, "statuses": [s.value for s in JobStatus],
        "flows": await flows.list_all(services.pool, owner),
    })


async def job_page(request: Request, owner: str) -> Response:
    job_id = _uuid(request.path_params["job_id"])
    stored = await jobs.read(request.app.state.sluice.pool, job_id, owner)
    if stored is None:
        return _not_found(request)
    response = stored.response or converter.unstructure(ExecutionResponse.of(stored.job, stored.job.status))
    pause = None
    if stored.job.status is JobStatus.SUSPENDED:
        pause = await pauses.read(request.app.state.sluice.pool, job_id)
    return _render(request, "job.html", {"owner": owner, "job": stored.job, "response": response, "pause": pause})


async def job_events(request: Request, owner: str) -> Response:
    job_id = _uuid(request.path_params["job_id"])
    stored = await jobs.read(request.app.state.sluice.pool, job_id, owner)
    if stored is None:
        return _not_found(request)
    return job_stream(request, stored.job, resume_after(request))


async def stop(request: Request, owner: str) -> Response:
    job_id = _uuid(request.path_params["job_id"])
    services = request.app.state.sluice
    await control.stop(services.pool, owner, job_id, services.settings.lease_seconds)
    return RedirectResponse(f"/ui/jobs/{job_id}", status_code=303)


async def retry(request: Request, owner: str) -> Response:
    job_id = _uuid(request.path_params["job_id"])
    services = request.app.state.sluice
    await control.retry(services.pool, job_id, services.settings.max_attempts, owner)
    return RedirectResponse(f"/ui/jobs/{job_id}", status_code=303)


async def resume(request: Request, owner: str) -> Response:
    """A suspended job's question answered with one of its buttons."""
    job_id = _uuid(request.path_params["job_id"])
    form = await request.form()
    await run_pauses.resume(request.app.state.sluice.pool, owner, job_id, str(form.get("request_id", "")),
                            {"action_id": str(form.get("action_id", ""))})
    return RedirectResponse(f"/ui/jobs/{job_id}", status_code=303)


async def flow_list(request: Request, owner: str) -> Response:
    services = request.app.state.sluice
    listed = []
    for summary in await flows.list_all(services.pool, owner):
        cached = await services.flows.current(owner, str(summary.id))
        inputs = [] if cached is None else [node for node in cached.graph.nodes.values() if node.type in INPUT_TYPES]
        listed.append({"summary": summary, "inputs": inputs,
                       "versions": await flows.list_versions(services.pool, owner, summary.id)})
    return _render(request, "flows.html", {"owner": owner, "flows": listed})


async def run(request: Request, owner: str) -> Response:
    flow_id = _uuid(request.path_params["flow_id"])
    form = await request.form()
    inputs = {f"{name.removeprefix('input:')}.input_value": str(value)
              for name, value in form.items() if name.startswith("input:")}
    run = await submit.prepare(request.app.state.sluice, owner, str(flow_id), None, inputs)
    await submit.enqueued(run)
    return RedirectResponse(f"/ui/jobs/{run.job_id}", status_code=303)


async def download(request: Request, owner: str) -> Response:
    return await file_response(request.app.state.sluice.pool, owner, request.path_params["file_id"])


def router() -> list[BaseRoute]:
    return [
        Route("/", signed_in(overview), methods=["GET"]),
        Route("/signin", signin_page, methods=["GET"]),
        Route("/signin", signin, methods=["POST"]),
        Route("/signout", signed_in(signout), methods=["POST"]),
        Route("/jobs", signed_in(job_list), methods=["GET"]),
        Route("/jobs/{job_id}", signed_in(job_page), methods=["GET"]),
        Route("/jobs/{job_id}/events", signed_in(job_events), methods=["GET"]),
        Route("/jobs/{job_id}/stop", signed_in(stop), methods=["POST"]),
        Route("/jobs/{job_id}/retry", signed_in(retry), methods=["POST"]),
        Route("/jobs/{job_id}/resume", signed_in(resume), methods=["POST"]),
        Route("/flows", signed_in(flow_list), methods=["GET"]),
        Route("/flows/{flow_id}/run", signed_in(run), methods=["POST"]),
        Route("/files/{file_id}", signed_in(download), methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
