"""Flows (v1): store Langflow exports as versioned flows, list, read, update and delete them."""

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
from sluice.http.auth import require_owner
from sluice.http.bodies import read_json
from sluice.http.errors import ApiError
from sluice.http.responses import JSONResponse
from sluice.store import flows, knowledge


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
    try:
        return UUID(text)
    except ValueError:
        raise ApiError(404, "FLOW_NOT_FOUND", f"Flow {text} was not found.", flow_id=text) from None


def _not_found(flow_id: Any) -> ApiError:
    return ApiError(404, "FLOW_NOT_FOUND", f"Flow {flow_id} was not found.", flow_id=flow_id)


def _taken(problem: Exception) -> ApiError:
    return ApiError(409, "ENDPOINT_NAME_TAKEN", str(problem))


async def create_flow(request: Request) -> Response:
    owner = await require_owner(request)
    document = await read_json(request)
    graph = checked_graph(document)
    await check_features(request.app.state.sluice.pool, graph)
    name = _text(document, "name", "Untitled flow")
    description = _text(document, "description", "")
    wanted = _endpoint_name(document)
    timeout = _timeout(document, None)
    try:
        summary = await flows.create(request.app.state.sluice.pool, owner=owner, name=name,
                                     description=description, endpoint_name=wanted, graph=graph,
                                     timeout_seconds=timeout)
    except flows.EndpointNameTaken as problem:
        raise _taken(problem) from None
    return JSONResponse(converter.unstructure(summary), status_code=201)


async def list_flows(request: Request) -> Response:
    owner = await require_owner(request)
    summaries = await flows.list_all(request.app.state.sluice.pool, owner)
    return JSONResponse(converter.unstructure(summaries))


async def read_flow(request: Request) -> Response:
    owner = await require_owner(request)
    flow_id = _flow_id(request.path_params["flow_id"])
    stored = await flows.read(request.app.state.sluice.pool, owner, str(flow_id))
    if stored is None:
        raise _not_found(flow_id)
    return JSONResponse({**converter.unstructure(stored.summary), "data": stored.graph})


async def update_flow(request: Request) -> Response:
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    flow_id = _flow_id(request.path_params["flow_id"])
    document = await read_json(request)
    if not isinstance(document, Mapping):
        raise ApiError(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    stored = await flows.read(pool, owner, str(flow_id))
    if stored is None:
        raise _not_found(flow_id)
    has_graph = "data" in document or "nodes" in document
    if has_graph:
        await check_features(pool, checked_graph(document))
    try:
        summary = await flows.update(
            pool, flow_id=flow_id, owner=owner,
            name=_text(document, "name", stored.summary.name),
            description=_text(document, "description", stored.summary.description),
            endpoint_name=_endpoint_name(document) or stored.summary.endpoint_name,
            graph=checked_graph(document) if has_graph else stored.graph,
            timeout_seconds=_timeout(document, stored.summary.timeout_seconds),
        )
    except asyncpg.UniqueViolationError:
        raise _taken(flows.EndpointNameTaken("Another of your flows already has that endpoint name.")) from None
    if summary is None:
        raise _not_found(flow_id)
    return JSONResponse(converter.unstructure(summary))


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
