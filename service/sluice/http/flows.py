"""Flows (v1): store Langflow exports as versioned flows; list (or page), read, update (PUT creates
under the given id when there is none, PATCH changes what it names), upload and delete them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from sluice.convert import converter
from sluice.engine.graph import FlowFormatError
from sluice.engine.validation import runnable_document, vector_nodes
from sluice.http.auth import owner_uuid, require_owner
from sluice.http.bodies import read_json
from sluice.http.errors import ApiError
from sluice.http.params import query_flag, uuid_or_missing
from sluice.http.responses import JSONResponse
from sluice.http.uploads import read_upload
from sluice.models import FlowSummary
from sluice.store import flows, knowledge, projects


def checked_graph(document: Any) -> Mapping[str, Any]:
    """The `{nodes, edges}` of an export that Sluice can run, or a 400 naming what is wrong."""
    try:
        return runnable_document(document)
    except FlowFormatError as problem:
        raise ApiError(400, "INVALID_FLOW", str(problem), node_ids=",".join(problem.node_ids) or None) from None


async def check_features(pool: asyncpg.Pool, graph: Mapping[str, Any]) -> None:
    """A 400 for a flow whose knowledge-base nodes this database cannot serve (no pgvector)."""
    nodes = vector_nodes(graph)
    if nodes:
        missing = await knowledge.vector_missing(pool)
        if missing is not None:
            raise ApiError(400, "VECTOR_EXTENSION_MISSING", missing, node_ids=",".join(nodes))


def _text(document: Mapping[str, Any], key: str, default: str) -> str:
    value = document.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ApiError(400, "INVALID_REQUEST", f"The field `{key}` must be a string.")
    return value


def _endpoint_name(document: Mapping[str, Any]) -> str | None:
    try:
        return flows.exported_endpoint_name(document)
    except flows.InvalidEndpointName as problem:
        raise ApiError(400, "INVALID_REQUEST", str(problem)) from None


def _timeout(document: Mapping[str, Any], default: int | None) -> int | None:
    if "timeout_seconds" not in document:
        return default
    try:
        return flows.exported_timeout(document)
    except flows.InvalidTimeout as problem:
        raise ApiError(400, "INVALID_REQUEST", str(problem)) from None


def _flow_id(text: str) -> UUID:
    return uuid_or_missing(text, lambda _: ApiError(404, "FLOW_NOT_FOUND", f"Flow {text} was not found.", flow_id=text))


def _not_found(flow_id: Any) -> ApiError:
    return ApiError(404, "FLOW_NOT_FOUND", f"Flow {flow_id} was not found.", flow_id=flow_id)


def _taken(problem: Exception) -> ApiError:
    return ApiError(409, "ENDPOINT_NAME_TAKEN", str(problem))


def flow_read(summary: FlowSummary, owner: str, graph: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A flow as Langflow's FlowRead shows it (with Sluice's version fields): its project as
    `folder_id`, its owner as a UUID."""
    shown = converter.unstructure(summary)
    shown["folder_id"] = shown.pop("project_id")
    shown["user_id"] = str(owner_uuid(owner))
    if graph is not None:
        shown["data"] = graph
    return shown


async def project_of(pool: asyncpg.Pool, owner: str, document: Mapping[str, Any], default: UUID | None
                     ) -> UUID | None:
    """The project a flow document asks for (`folder_id`), which must be the owner's; else `default`."""
    if "folder_id" not in document:
        return default
    text = document["folder_id"]
    if text is None:
        return None
    try:
        project_id = UUID(text) if isinstance(text, str) else None
    except ValueError:
        project_id = None
    if project_id is None:
        raise ApiError(400, "INVALID_REQUEST", "The field `folder_id` must be a project id (a UUID).")
    if await projects.read(pool, project_id, owner) is None:
        raise ApiError(404, "PROJECT_NOT_FOUND", f"Project {project_id} was not found.", project_id=project_id)
    return project_id


def _object(document: Any) -> Mapping[str, Any]:
    if not isinstance(document, Mapping):
        raise ApiError(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    return document


async def store_flow(pool: asyncpg.Pool, owner: str, document: Any, *, flow_id: UUID | None = None,
                     project_id: UUID | None = None) -> tuple[FlowSummary, bool]:
    """Create a flow from an export (under `flow_id` if given), or update the owner's flow of that
    id; returns it and whether it is new. Another owner's id is not found, as if it did not exist."""
    document = _object(document)
    if flow_id is not None:
        stored = await flows.read(pool, owner, str(flow_id))
        if stored is not None:
            return await _update(pool, owner, stored, document, project_id), False
        if await flows.owner_of(pool, flow_id) is not None:
            raise _not_found(flow_id)  # another owner's: answered exactly like a missing one
    graph = checked_graph(document)
    await check_features(pool, graph)
    try:
        summary = await flows.create(
            pool, owner=owner, name=_text(document, "name", "Untitled flow"),
            description=_text(document, "description", ""), endpoint_name=_endpoint_name(document), graph=graph,
            timeout_seconds=_timeout(document, None), project_id=await project_of(pool, owner, document, project_id),
            flow_id=flow_id)
    except flows.EndpointNameTaken as problem:
        raise _taken(problem) from None
    except flows.FlowIdTaken:
        raise _not_found(flow_id) from None
    return summary, True


async def _update(pool: asyncpg.Pool, owner: str, stored: flows.StoredFlow, document: Mapping[str, Any],
                  project_id: UUID | None = None) -> FlowSummary:
    """A new version when the document carries a graph; the fields it names changed, others kept."""
    has_graph = document.get("data") is not None or "nodes" in document
    graph = checked_graph(document) if has_graph else stored.graph
    if has_graph:
        await check_features(pool, graph)
    current = stored.summary
    try:
        summary = await flows.update(
            pool, flow_id=current.id, owner=owner,
            name=_text(document, "name", current.name),
            description=_text(document, "description", current.description),
            endpoint_name=_endpoint_name(document) or current.endpoint_name,
            graph=graph,
            timeout_seconds=_timeout(document, current.timeout_seconds),
            project_id=await project_of(pool, owner, document, project_id or current.project_id),
        )
    except asyncpg.UniqueViolationError:
        raise _taken(flows.EndpointNameTaken("Another of your flows already has that endpoint name.")) from None
    if summary is None:
        raise _not_found(current.id)
    return summary


async def create_flow(request: Request) -> Response:
    owner = await require_owner(request)
    summary, _ = await store_flow(request.app.state.sluice.pool, owner, await read_json(request))
    return JSONResponse(flow_read(summary, owner), status_code=201)


def _page_number(request: Request, name: str, default: int, largest: int | None = None) -> int:
    text = request.query_params.get(name, str(default))
    if not text.isdigit() or int(text) < 1 or (largest is not None and int(text) > largest):
        limit = f" and at most {largest}" if largest is not None else ""
        raise ApiError(400, "INVALID_REQUEST", f"The {name} parameter must be a whole number, at least 1{limit}.")
    return int(text)


async def list_flows(request: Request) -> Response:
    """The owner's flows, all of them (Langflow's default `get_all=true`) or one page of them; with
    `folder_id`, only that project's. Sluice stores no components, so `components_only` lists none."""
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    folder = request.query_params.get("folder_id")
    project_id = await project_of(pool, owner, {"folder_id": folder}, None) if folder is not None else None
    summaries = [] if query_flag(request, "components_only") else await flows.list_all(pool, owner, project_id)
    shown = [flow_read(summary, owner) for summary in summaries]
    page, size = _page_number(request, "page", 1), _page_number(request, "size", 50, largest=100)
    if query_flag(request, "get_all", default=True):
        return JSONResponse(shown)
    return JSONResponse({"items": shown[(page - 1) * size:page * size], "total": len(shown), "page": page,
                         "size": size, "pages": -(-len(shown) // size)})


async def read_flow(request: Request) -> Response:
    owner = await require_owner(request)
    flow_id = _flow_id(request.path_params["flow_id"])
    stored = await flows.read(request.app.state.sluice.pool, owner, str(flow_id))
    if stored is None:
        raise _not_found(flow_id)
    return JSONResponse(flow_read(stored.summary, owner, stored.graph))


async def upsert_flow(request: Request) -> Response:
    """PUT: update the owner's flow of this id, or create one under it (201)."""
    owner = await require_owner(request)
    flow_id = _flow_id(request.path_params["flow_id"])
    summary, created = await store_flow(request.app.state.sluice.pool, owner, await read_json(request),
                                        flow_id=flow_id)
    return JSONResponse(flow_read(summary, owner), status_code=201 if created else 200)


async def patch_flow(request: Request) -> Response:
    """PATCH: change the fields the body names; a graph (`data`) becomes a new version."""
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    flow_id = _flow_id(request.path_params["flow_id"])
    document = _object(await read_json(request))
    stored = await flows.read(pool, owner, str(flow_id))
    if stored is None:
        raise _not_found(flow_id)
    return JSONResponse(flow_read(await _update(pool, owner, stored, document), owner))


async def upload_flows(request: Request) -> Response:
    """POST /api/v1/flows/upload/: a JSON file (one flow, or `{flows: [...]}`) or a ZIP of flow
    files; flows with an `id` are upserted. Answers 201 with the flows."""
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    folder = request.query_params.get("folder_id")
    project_id = await project_of(pool, owner, {"folder_id": folder}, None) if folder is not None else None
    upload = await read_upload(request)
    documents = upload.flows if upload.flows is not None else [upload.document]
    for document in documents:  # every flow checked before anything is stored
        checked_graph(_object(document))
    stored = [await store_flow(pool, owner, document, flow_id=_document_id(document), project_id=project_id)
              for document in documents]
    return JSONResponse([flow_read(summary, owner) for summary, _ in stored], status_code=201)


def _document_id(document: Any) -> UUID | None:
    text = document.get("id") if isinstance(document, Mapping) else None
    if text is None:
        return None
    try:
        return UUID(str(text))
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST", f"The flow id {text!r} is not a UUID.") from None


async def delete_flow(request: Request) -> Response:
    owner = await require_owner(request)
    flow_id = _flow_id(request.path_params["flow_id"])
    if not await flows.delete(request.app.state.sluice.pool, owner, flow_id):
        raise _not_found(flow_id)
    return JSONResponse({"id": str(flow_id), "message": f"Flow {flow_id} deleted."})


async def list_versions(request: Request) -> Response:
    owner = await require_owner(request)
    flow_id = _flow_id(request.path_params["flow_id"])
    rows = await flows.list_versions(request.app.state.sluice.pool, owner, flow_id)
    if not rows:
        raise _not_found(flow_id)
    return JSONResponse([
        {"version": row["version"], "created_at": converter.unstructure(row["created_at"]),
         "current": row["current"]}
        for row in rows
    ])
