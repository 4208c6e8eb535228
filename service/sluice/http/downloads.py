"""A stored file's bytes as a response, to its owner only: for the files API and the dashboard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import asyncpg
from starlette.responses import Response, StreamingResponse

from sluice.http.errors import ApiError
from sluice.http.params import uuid_or_missing
from sluice.store import files
from sluice.store.files import StoredFile

# Bytes read per query: a small file is one round trip, a large one never sits whole in memory.
CHUNK = 1024 * 1024


def file_not_found(text: str) -> ApiError:
    return ApiError(404, "FILE_NOT_FOUND", f"File {text} was not found.", file_id=text)


def content_disposition(name: str) -> str:
    """`attachment` with the file's name, percent-encoded (RFC 6266) when it is not plain ASCII."""
    encoded = quote(name, safe="")
    if encoded == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename*=UTF-8''{encoded}"


async def file_response(pool: asyncpg.Pool, owner: str, text: str) -> Response:
    """The file's bytes if `owner` owns it, else 404 (whether it exists or not)."""
    file_id = uuid_or_missing(text, file_not_found)
    stored = await files.read(pool, file_id, owner, CHUNK)
    if stored is None:
        raise file_not_found(text)
    headers = {"Content-Disposition": content_disposition(stored.name), "Content-Length": str(stored.size)}
    if len(stored.head) >= stored.size:
        return Response(stored.head, media_type=stored.mime_type, headers=headers)
    return StreamingResponse(_rest(pool, stored), media_type=stored.mime_type, headers=headers)


async def _rest(pool: asyncpg.Pool, stored: StoredFile) -> AsyncIterator[bytes]:
    yield stored.head
    sent = len(stored.head)
    while sent < stored.size:
        chunk = await files.read_chunk(pool, stored.id, sent, CHUNK)
        if not chunk:
            return  # deleted meanwhile
        yield chunk
        sent += len(chunk)
