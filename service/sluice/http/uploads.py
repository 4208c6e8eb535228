"""Uploaded flow files (flows upload, projects upload): a JSON file or a ZIP of them, sent as the
`file` field of a multipart form (as Langflow's UI sends it) or as the raw body (as langflow-sdk
sends a project)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import attrs
import orjson
from starlette.datastructures import UploadFile
from starlette.requests import Request

from sluice.http.errors import ApiError

MAX_ENTRIES = 500


@attrs.frozen
class Upload:
    # The uploaded JSON document (None for a ZIP).
    document: Any
    # The flows it holds: a ZIP's JSON files, or a document's `flows` list; None for a single flow.
    flows: list[Any] | None
    filename: str | None = None


async def upload_bytes(request: Request) -> tuple[bytes, str | None, str | None]:
    """The uploaded content, its file name and its content type."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise ApiError(400, "INVALID_REQUEST", "Send the file in the multipart field `file`.")
        return await file.read(), file.filename, file.content_type
    return await request.body(), None, content_type or None


async def read_upload(request: Request) -> Upload:
    content, filename, _ = await upload_bytes(request)
    if not content:
        raise ApiError(400, "INVALID_REQUEST", "The uploaded file is empty.")
    if zipfile.is_zipfile(io.BytesIO(content)):
        return Upload(None, _zip_flows(content, request.app.state.sluice.settings.max_body_bytes), filename)
    document = _json(content, filename or "the upload")
    flows = document.get("flows") if isinstance(document, dict) else None
    if flows is not None and not (isinstance(flows, list) and all(isinstance(flow, dict) for flow in flows)):
        raise ApiError(400, "INVALID_REQUEST", "The upload's `flows` must be a list of flow objects.")
    return Upload(document, flows, filename)


def _json(content: bytes, name: str) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        raise ApiError(400, "INVALID_JSON", f"{name} is neither a ZIP nor valid JSON.") from None


def _zip_flows(content: bytes, max_bytes: int) -> list[Any]:
    """The JSON files of a ZIP, read only while they stay within `max_bytes` in all (no zip bombs)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = [entry for entry in archive.infolist() if entry.filename.endswith(".json") and not entry.is_dir()]
        if len(entries) > MAX_ENTRIES:
            raise ApiError(400, "INVALID_REQUEST", f"The ZIP holds more than {MAX_ENTRIES} flow files.")
        flows, budget = [], max_bytes
        for entry in entries:
            with archive.open(entry) as opened:
                data = opened.read(budget + 1)
            budget -= len(data)
            if budget < 0:
                raise ApiError(413, "UPLOAD_TOO_LARGE", f"The ZIP's flows hold more than {max_bytes} bytes.")
            flows.append(_json(data, entry.filename))
    if not flows:
        raise ApiError(400, "INVALID_REQUEST", "The ZIP holds no flow JSON files.")
    return flows
