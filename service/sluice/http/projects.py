"""Projects (v1): Langflow's folders of flows. List, read with its flows, create, change, delete (with
its flows), download as a ZIP of flow files, and upload one. Owner-scoped: another owner's project
is not found."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any
from uuid import UUID

import orjson
from starlette.requests import Request
from starlette.responses import Response

from sluice.http.auth import require_owner
from sluice.http.bodies import read_json
from sluice.http.downloads import content_disposition
from sluice.http.errors import ApiError
from sluice.http.flows import checked_graph, flow_read, store_flow
from sluice.http.params import uuid_or_missing
from sluice.http.responses import JSONResponse
from sluice.http.uploads import read_upload
from sluice.store import flows, projects
from sluice.store.projects import Project


def project_read(project: Project) -> dict[str, Any]:
    """A project as Langflow's FolderRead shows it (Sluice's projects do not nest)."""
    return {"id": str(project.id), "name": project.name, "description": project.description, "parent_id": None}


def _not_found(text: Any) -> ApiError:
    return ApiError(404, "PROJECT_NOT_FOUND", f"Project {text} was not found.", project_id=text)


async def _owned(request: Request, owner: str) -> Project:
    text = request.path_params["project_id"]
    project_id = uuid_or_missing(text, _not_found)
    project = await projects.read(request.app.state.sluice.pool, project_id, owner)
    if project is None:
        raise _not_found(text)
    return project


def _text(body: Mapping[str, Any], key: str, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiError(400, "INVALID_REQUEST", f"The field `{key}` must be a{' non-empty' if required else ''} string.")
    return value


def _flow_ids(body: Mapping[str, Any], key: str) -> list[UUID]:
    values = body.get(key)
    if values is None:
        return []
    try:
        if not isinstance(values, list):
            raise TypeError
        return [UUID(value) for value in values]
    except (TypeError, ValueError, AttributeError):
        raise ApiError(400, "INVALID_REQUEST", f"The field `{key}` must be a list of flow ids.") from None


async def _body(request: Request) -> Mapping[str, Any]:
    body = await read_json(request)
    if not isinstance(body, Mapping):
        raise ApiError(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    return body


async def list_projects(request: Request) -> Response:
    owner = await require_owner(request)
    return JSONResponse([project_read(project) for project in await projects.list_all(
        request.app.state.sluice.pool, owner)])


async def create_project(request: Request) -> Response:
    """A new project; the owner's flows named in `flows_list` (and `components_list`) move into it."""
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    body = await _body(request)
    name = _text(body, "name", required=True)
    moved = _flow_ids(body, "flows_list") + _flow_ids(body, "components_list")
    project = await projects.insert(pool, uuid.uuid4(), owner, name or "", _text(body, "description") or "")
    if moved:
        await projects.move_flows(pool, project.id, owner, moved)
    return JSONResponse(project_read(project), status_code=201)


async def read_project(request: Request) -> Response:
    owner = await require_owner(request)
    project = await _owned(request, owner)
    contained = await flows.list_all(request.app.state.sluice.pool, owner, project.id)
    return JSONResponse({**project_read(project), "flows": [flow_read(summary, owner) for summary in contained]})


async def update_project(request: Request) -> Response:
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    project = await _owned(request, owner)
    body = await _body(request)
    name = _text(body, "name")
    if name is not None and not name.strip():
        raise ApiError(400, "INVALID_REQUEST", "The field `name` must be a non-empty string.")
    updated = await projects.update(pool, project.id, owner, name, _text(body, "description"))
    if updated is None:
        raise _not_found(project.id)
    moved = _flow_ids(body, "flows") + _flow_ids(body, "components")
    if moved:
        await projects.move_flows(pool, project.id, owner, moved)
    return JSONResponse(project_read(updated))


async def delete_project(request: Request) -> Response:
    owner = await require_owner(request)
    project = await _owned(request, owner)
    if not await projects.delete(request.app.state.sluice.pool, project.id, owner):
        raise _not_found(project.id)
    return Response(status_code=204)


def _entry_name(name: str, taken: set[str]) -> str:
    """A flow's file name in the ZIP: its name, made safe for a path and unique."""
    stem = "".join(char if char.isalnum() or char in " -_." else "_" for char in name).strip(" .") or "flow"
    candidate, n = f"{stem}.json", 2
    while candidate in taken:
        candidate, n = f"{stem} ({n}).json", n + 1
    taken.add(candidate)
    return candidate


async def download_project(request: Request) -> Response:
    """The project's flows as a ZIP, one JSON file per flow (what the upload takes back)."""
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    project = await _owned(request, owner)
    buffer, taken = io.BytesIO(), set[str]()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for summary in await flows.list_all(pool, owner, project.id):
            stored = await flows.read(pool, owner, str(summary.id))
            if stored is not None:  # deleted meanwhile
                document = flow_read(stored.summary, owner, stored.graph)
                archive.writestr(_entry_name(summary.name, taken), orjson.dumps(document))
    headers = {"Content-Disposition": content_disposition(f"{project.name}.zip")}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)


async def upload_project(request: Request) -> Response:
    """A new project from a ZIP of flow files, or from Langflow's project JSON (`folder_name`,
    `folder_description`, `flows`). Its flows are copies: new ids, and a derived endpoint name where
    the uploaded one is taken. Answers 201 with the flows."""
    owner = await require_owner(request)
    pool = request.app.state.sluice.pool
    upload = await read_upload(request)
    document = upload.document if isinstance(upload.document, Mapping) else {}
    if upload.flows is None:
        raise ApiError(400, "INVALID_REQUEST", "Upload a ZIP of flow files, or a JSON object with `flows`.")
    name = document.get("folder_name") or (PurePath(upload.filename).stem if upload.filename else "Uploaded project")
    description = document.get("folder_description") or ""
    if not isinstance(name, str) or not isinstance(description, str):
        raise ApiError(400, "INVALID_REQUEST", "The `folder_name` and `folder_description` must be strings.")
    for flow in upload.flows:  # every flow checked before anything is stored
        checked_graph(_flow_object(flow))
    project = await projects.insert(pool, uuid.uuid4(), owner, name, description)
    created = []
    for flow in upload.flows:
        copy = {key: value for key, value in _flow_object(flow).items() if key not in ("id", "folder_id")}
        try:
            summary, _ = await store_flow(pool, owner, copy, project_id=project.id)
        except ApiError as problem:
            if problem.code != "ENDPOINT_NAME_TAKEN":
                raise
            summary, _ = await store_flow(pool, owner, {**copy, "endpoint_name": None}, project_id=project.id)
        created.append(flow_read(summary, owner))
    return JSONResponse(created, status_code=201)


def _flow_object(flow: Any) -> Mapping[str, Any]:
    if not isinstance(flow, Mapping):
        raise ApiError(400, "INVALID_REQUEST", "Each uploaded flow must be a JSON object.")
    return flow
