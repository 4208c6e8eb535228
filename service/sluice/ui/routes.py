"""Dashboard pages and actions. Every page shows only the signed-in owner's data; every action is a
POST carrying the session's CSRF token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
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
from sluice.engine.graph import FlowFormatError, Graph, parse_graph
from sluice.http.downloads import file_response
from sluice.http.streams import job_stream, resume_after
from sluice.models import ExecutionResponse, JobStatus
from sluice.runs import control, submit
from sluice.runs import pauses as run_pauses
from sluice.runs.errors import NotFound, RunError
from sluice.store import dashboard, flows, jobs, pauses
from sluice.ui import changes, charts, drawing, run_view, session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["json"] = lambda value: orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
PAGE_SIZE = 50
INPUT_TYPES = ("ChatInput", "TextInput")
EVENT_PAGE = 1000
FINAL_STATUSES = ("completed", "failed", "error", "timed_out", "cancelled")
# Window name: (how far back, bucket of the charts, how it reads).
WINDOWS = {
    "15m": (timedelta(minutes=15), timedelta(minutes=1), "last 15 minutes"),
    "1h": (timedelta(hours=1), timedelta(minutes=2), "last hour"),
    "1d": (timedelta(days=1), timedelta(minutes=30), "last day"),
}

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


def _window(request: Request) -> tuple[str, charts.Window]:
    """The window the page asked for (`?window=15m|1h|1d`), its buckets aligned on whole steps."""
    name = request.query_params.get("window", "")
    name = name if name in WINDOWS else "1h"
    span, step, _ = WINDOWS[name]
    now = datetime.now(UTC).timestamp()
    end = datetime.fromtimestamp((now // step.total_seconds() + 1) * step.total_seconds(), UTC)
    return name, charts.Window(end - span, end, step)


def _windows(chosen: str) -> list[dict[str, Any]]:
    return [{"name": name, "label": label, "current": name == chosen} for name, (_, _, label) in WINDOWS.items()]


async def overview(request: Request, owner: str) -> Response:
    name, window = _window(request)
    # One connection, one query after another: a page left open must not take a share of the pool
    # that runs are waiting for.
    async with request.app.state.sluice.pool.acquire() as conn:
        counts = await dashboard.job_counts(conn, owner, window.start)
        queues = await dashboard.queue_by_flow(conn, owner)
        finished = await dashboard.finished_by_status(conn, owner, window.start, window.step)
        latency = await dashboard.latency(conn, owner, window.start, window.step)
        depth = await dashboard.queue_depth(conn, owner, window.start, window.step)
        failures = await dashboard.failure_by_flow(conn, owner, window.start)
    minutes = window.step.total_seconds() / 60
    rates = {(row["bucket"], row["status"]): row["jobs"] / minutes for row in finished}
    times = {f"{kind}-p{q}": (f"{kind} p{q}", {row["bucket"]: row[kind][i] for row in latency})
             for kind in ("wait", "run") for i, q in enumerate((50, 95))}
    return _render(request, "overview.html", {
        "owner": owner, "window": name, "windows": _windows(name), "refresh": request.query_params.get("refresh"),
        "counts": {status.value: counts.get(status.value, 0) for status in JobStatus},
        "queues": queues,
        "finished": sum(row["jobs"] for row in finished),
        "finished_chart": charts.stacked(window, rates, FINAL_STATUSES, "jobs/min"),
        "latency_chart": charts.lines(window, times, "s"),
        "depth_chart": charts.lines(window, {"queued": ("queued (peak)", _carried(window, depth))}, "jobs"),
        "failures": failures,
        "statuses": FINAL_STATUSES,
    })


def _carried(window: charts.Window, rows: list[Any]) -> dict[datetime, float]:
    """The queue's peak in each bucket; a bucket without changes holds the depth the last one ended at."""
    changed = {row["bucket"]: row for row in rows}
    depth, carried = 0, {}
    for bucket in window.buckets:
        row = changed.get(bucket)
        carried[bucket] = depth if row is None else row["peak"]
        depth = depth if row is None else row["last"]
    return carried


async def workers(request: Request, owner: str) -> Response:
    name, window = _window(request)
    rows = await dashboard.worker_activity(request.app.state.sluice.pool, owner, window.start)
    minutes = (window.end - window.start).total_seconds() / 60
    return _render(request, "workers.html", {
        "owner": owner, "window": name, "windows": _windows(name), "minutes": minutes,
        "workers": [{**dict(row), "per_minute": row["finished"] / minutes} for row in rows],
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


async def _all_events(pool: Any, job_id: UUID) -> list[jobs.LoggedEvent]:
    events: list[jobs.LoggedEvent] = []
    while True:
        page = await jobs.read_events(pool, job_id, events[-1].seq if events else 0, EVENT_PAGE)
        events.extend(page)
        if len(page) < EVENT_PAGE:
            return events


async def _graph(pool: Any, owner: str, flow_id: UUID, version: str) -> tuple[Any, Graph] | None:
    """A stored version's export and its graph; None once the flow is deleted."""
    document = await flows.read_version(pool, owner, flow_id, version)
    if document is None:
        return None
    try:
        return document, parse_graph(document)
    except FlowFormatError:
        return None


async def _live(request: Request, owner: str) -> dict[str, Any] | None:
    """What the live part of a job's page shows: its graph with node states, node details, timeline."""
    pool = request.app.state.sluice.pool
    stored = await jobs.read(pool, _uuid(request.path_params["job_id"]), owner)
    if stored is None:
        return None
    job = stored.job
    found = await _graph(pool, owner, job.flow_id, job.flow_version)
    graph = found[1] if found else None
    view = run_view.fold(job, graph, await _all_events(pool, job.id))
    names = {node_id: node.display_name for node_id, node in graph.nodes.items()} if graph else {}
    selected = request.query_params.get("node")
    return {
        "owner": owner, "job": job, "stored": stored, "view": view, "graph": graph,
        "drawing": drawing.draw(found[0], graph) if found else None,
        "timeline": charts.timeline(view, names, datetime.now(UTC)),
        "selected": selected if graph and selected in graph.nodes else None,
        "inputs": {node_id: run_view.inputs_of(graph, view, job, node_id) for node_id in names} if graph else {},
        "states": run_view.STATES,
    }


async def job_page(request: Request, owner: str) -> Response:
    context = await _live(request, owner)
    if context is None:
        return _not_found(request)
    stored = context["stored"]
    response = stored.response or converter.unstructure(ExecutionResponse.of(stored.job, stored.job.status))
    pause = None
    if stored.job.status is JobStatus.SUSPENDED:
        pause = await pauses.read(request.app.state.sluice.pool, stored.job.id)
    return _render(request, "job.html", {**context, "response": response, "pause": pause})


async def job_live(request: Request, owner: str) -> Response:
    context = await _live(request, owner)
    if context is None:
        return _not_found(request)
    return _render(request, "job_live.html", context)


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
        found = await _graph(services.pool, owner, summary.id, summary.version)
        inputs = [] if found is None else [node for node in found[1].nodes.values() if node.type in INPUT_TYPES]
        listed.append({"summary": summary, "inputs": inputs,
                       "drawing": drawing.draw(*found) if found else None,
                       "versions": await flows.list_versions(services.pool, owner, summary.id)})
    return _render(request, "flows.html", {"owner": owner, "flows": listed})


async def flow_version(request: Request, owner: str) -> Response:
    pool = request.app.state.sluice.pool
    flow_id, version = _uuid(request.path_params["flow_id"]), request.path_params["version"]
    stored = await flows.read(pool, owner, str(flow_id))
    versions = await flows.list_versions(pool, owner, flow_id)
    names = [row["version"] for row in versions]
    found = await _graph(pool, owner, flow_id, version) if version in names else None
    if stored is None or found is None:
        return _not_found(request)
    position = names.index(version)
    previous = names[position + 1] if position + 1 < len(names) else None
    before = await _graph(pool, owner, flow_id, previous) if previous else None
    changed = changes.compare(before[1], found[1]) if before else None
    return _render(request, "flow_version.html", {
        "owner": owner, "flow": stored.summary, "version": versions[position], "previous": previous,
        "drawing": drawing.draw(*found), "changes": changed,
    })


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
        Route("/jobs/{job_id}/live", signed_in(job_live), methods=["GET"]),
        Route("/jobs/{job_id}/stop", signed_in(stop), methods=["POST"]),
        Route("/jobs/{job_id}/retry", signed_in(retry), methods=["POST"]),
        Route("/jobs/{job_id}/resume", signed_in(resume), methods=["POST"]),
        Route("/flows", signed_in(flow_list), methods=["GET"]),
        Route("/flows/{flow_id}/versions/{version}", signed_in(flow_version), methods=["GET"]),
        Route("/flows/{flow_id}/run", signed_in(run), methods=["POST"]),
        Route("/workers", signed_in(workers), methods=["GET"]),
        Route("/files/{file_id}", signed_in(download), methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
