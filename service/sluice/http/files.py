"""Files (v2): the bytes of a file a flow produced, streamed to its owner only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sluice.http.auth import require_owner
from sluice.http.downloads import file_response


async def download_file(request: Request) -> Response:
    owner = await require_owner(request)
    return await file_response(request.app.state.sluice.pool, owner, request.path_params["file_id"])
