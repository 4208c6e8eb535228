"""Memory bases (v1), as Langflow 1.13 shapes `/api/v1/memories`: create one for a flow, list (paged,
by flow), read and delete. A memory base is filled from its flow's chat messages when the MemoryBase
node searches it (sluice/engine/components/memory_base.py). Every route sees only the caller's.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sluice.convert import converter
from sluice.engine.components.memory_base import EMBEDDING_MODEL_VARIABLE
from sluice.http.bodies import read_json
from sluice.http.errors import ApiError
from sluice.http.knowledge_bases import query_int, vector_owner
from sluice.http.responses import JSONResponse
from sluice.models import KnowledgeBase
from sluice.store import flows, knowledge


def _read(base: KnowledgeBase) -> dict[str, Any]:
    return {"id": str(base.id), "name": base.name, "flow_id": str(base.flow_id), "kb_name": base.name,
            "embedding_model": base.embedding_model, "threshold": 50, "auto_capture": True,
            "preprocessing": False, "preproc_model": None, "preproc_instructions": None,
            "preproc_kill_phrase": None, "backend_type": "postgres", "backend_config": {},
            "storage_state": "ready", "chunks": base.chunks, "created_at": converter.unstructure(base.created_at)}


def _uuid(text: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        raise ApiError(404, "MEMORY_BASE_NOT_FOUND" if what == "memory base" else "FLOW_NOT_FOUND",
                       f"The {what} {text} was not found.") from None


async def create_memory_base(request: Request) -> Response:
    owner = await vector_owner(request)
    body = await read_json(request)
    if not isinstance(body, Mapping) or not isinstance(body.get("name"), str) or not body["name"].strip():
        raise ApiError(400, "INVALID_REQUEST", "The body must be a JSON object with a non-empty `name`.")
    pool = request.app.state.sluice.pool
    flow_id = _uuid(body.get("flow_id"), "flow")
    if await flows.read(pool, owner, str(flow_id)) is None:
        raise ApiError(404, "FLOW_NOT_FOUND", f"The flow {flow_id} was not found.")
    model = body.get("embedding_model") or os.environ.get(EMBEDDING_MODEL_VARIABLE, "")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "INVALID_REQUEST", f"Name an `embedding_model` (the server has no "
                       f"{EMBEDDING_MODEL_VARIABLE}).")
    provider = body.get("embedding_provider") if isinstance(body.get("embedding_provider"), str) else "OpenAI"
    base_id = await knowledge.create_memory_base(pool, owner, flow_id, body["name"].strip(), provider, model)
    if base_id is None:
        raise ApiError(409, "MEMORY_BASE_EXISTS", f"The flow already has a memory base named {body['name']!r}.")
    created = await knowledge.read_memory_base(pool, owner, base_id)
    assert created is not None
    return JSONResponse(_read(created), status_code=201)


async def list_memory_bases(request: Request) -> Response:
    owner = await vector_owner(request)
    flow = request.query_params.get("flow_id")
    page, size = query_int(request, "page", 1, (1, 1_000_000)), query_int(request, "size", 50, (1, 100))
    bases, total = await knowledge.list_memory_bases(request.app.state.sluice.pool, owner,
                                                     None if flow is None else _uuid(flow, "flow"), size,
                                                     (page - 1) * size)
    return JSONResponse({"items": [_read(base) for base in bases], "total": total, "page": page, "size": size,
                         "pages": math.ceil(total / size) if total else 0})


async def get_memory_base(request: Request) -> Response:
    owner = await vector_owner(request)
    text = request.path_params["memory_base_id"]
    base = await knowledge.read_memory_base(request.app.state.sluice.pool, owner, _uuid(text, "memory base"))
    if base is None:
        raise ApiError(404, "MEMORY_BASE_NOT_FOUND", f"The memory base {text} was not found.")
    return JSONResponse(_read(base))


async def delete_memory_base(request: Request) -> Response:
    owner = await vector_owner(request)
    text = request.path_params["memory_base_id"]
    if not await knowledge.delete_memory_base(request.app.state.sluice.pool, owner, _uuid(text, "memory base")):
        raise ApiError(404, "MEMORY_BASE_NOT_FOUND", f"The memory base {text} was not found.")
    return Response(status_code=204)
