"""Files: uploads (v2 `POST /api/v2/files`, v1 `POST /api/v1/files/upload/{flow_id}`), their list and
deletion, and the bytes of any file, uploaded or produced by a flow, streamed to its owner only.

Uploads are shaped as Langflow 1.13 answers them; a file's `path` (`file_path` in v1) ends in its id,
so a flow can name an uploaded file by the path its owner was given.
"""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePath
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from sluice.convert import iso_timestamp
from sluice.http.auth import owner_uuid, require_owner
from sluice.http.downloads import file_not_found, file_response
from sluice.http.errors import ApiError
from sluice.http.params import uuid_or_missing
from sluice.http.responses import JSONResponse
from sluice.http.uploads import upload_bytes
from sluice.store import files, flows
from sluice.store.files import UploadedFile


async def download_file(request: Request) -> Response:
    owner = await require_owner(request)
    return await file_response(request.app.state.sluice.pool, owner, request.path_params["file_id"])


def _stored_name(path: PurePath) -> str:
    return path.name or "upload"


async def _store_upload(request: Request, owner: str, flow_id: UUID | None) -> tuple[UUID, str, int]:
    """Store the request's `file` for `owner`; its id, file name and size."""
    settings = request.app.state.sluice.settings
    content, filename, content_type = await upload_bytes(request)
    if not content:
        raise ApiError(400, "INVALID_REQUEST", "The uploaded file is empty.")
    if len(content) > settings.file_max_bytes:
        raise ApiError(413, "FILE_TOO_LARGE", f"The file is larger than this server's limit of "
                       f"{settings.file_max_bytes} bytes.")
    name = _stored_name(PurePath(filename or "upload"))
    mime_type = (content_type if content_type and "/" in content_type else None) or \
        mimetypes.guess_type(name)[0] or "application/octet-stream"
    file_id = uuid.uuid4()
    await files.insert(request.app.state.sluice.pool, file_id=file_id, owner=owner, job_id=None, name=name,
                       mime_type=mime_type, content=content, flow_id=flow_id)
    return file_id, name, len(content)


def _path(folder: Any, file_id: UUID, name: str) -> str:
    return f"{folder}/{file_id}{PurePath(name).suffix}"


def user_file(owner: str, uploaded: UploadedFile) -> dict[str, Any]:
    """An upload as Langflow's v2 files API lists it."""
    return {"id": str(uploaded.id), "user_id": str(owner_uuid(owner)), "name": PurePath(uploaded.name).stem,
            "path": _path(owner_uuid(owner), uploaded.id, uploaded.name), "size": uploaded.size,
            "provider": None, "created_at": iso_timestamp(uploaded.created_at),
            "updated_at": iso_timestamp(uploaded.created_at)}


async def upload_file(request: Request) -> Response:
    owner = await require_owner(request)
    file_id, name, size = await _store_upload(request, owner, None)
    return JSONResponse({"id": str(file_id), "name": PurePath(name).stem,
                         "path": _path(owner_uuid(owner), file_id, name), "size": size}, status_code=201)


async def list_files(request: Request) -> Response:
    owner = await require_owner(request)
    return JSONResponse([user_file(owner, uploaded)
                         for uploaded in await files.list_uploads(request.app.state.sluice.pool, owner)])


async def delete_file(request: Request) -> Response:
    owner = await require_owner(request)
    text = request.path_params["file_id"]
    file_id = uuid_or_missing(text, file_not_found)
    name = await files.delete(request.app.state.sluice.pool, file_id, owner)
    if name is None:
        raise file_not_found(text)
    return JSONResponse({"detail": f"File {name} deleted successfully"})


async def upload_flow_file(request: Request) -> Response:
    """v1: a file uploaded for one of the owner's flows."""
    owner = await require_owner(request)
    text = request.path_params["flow_id"]
    try:
        flow_id = UUID(text)
    except ValueError:
        flow_id = None
    if flow_id is None or await flows.read(request.app.state.sluice.pool, owner, str(flow_id)) is None:
        raise ApiError(404, "FLOW_NOT_FOUND", f"Flow {text} was not found.", flow_id=text)
    file_id, name, _ = await _store_upload(request, owner, flow_id)
    return JSONResponse({"flowId": str(flow_id), "file_path": _path(flow_id, file_id, name)}, status_code=201)
