"""Knowledge bases (v1), as Langflow 1.13 shapes `/api/v1/knowledge_bases`: create one with an
embedding model, ingest files into it (a background job), list, read, page through its chunks and
delete it. Every route sees only the caller's knowledge bases; another owner's is a 404.

Without pgvector in the database every route answers 503, saying so.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from sluice.convert import converter
from sluice.http.auth import require_owner
from sluice.http.bodies import read_json
from sluice.http.errors import ApiError
from sluice.http.responses import JSONResponse
from sluice.models import KnowledgeBase
from sluice.runs.knowledge import Upload, ingest
from sluice.store import knowledge

MIN_NAME_LENGTH = 3
MAX_NAME_LENGTH = 100
# Langflow's bounds on chunking (MIN/MAX_CHUNK_SIZE, MAX_CHUNK_OVERLAP).
CHUNK_SIZE_RANGE = (1, 20_000)
CHUNK_OVERLAP_RANGE = (0, 10_000)


async def vector_owner(request: Request) -> str:
    """The caller, or a 503 when this database has no pgvector."""
    owner = await require_owner(request)
    missing = await knowledge.vector_missing(request.app.state.sluice.pool)
    if missing is not None:
        raise ApiError(503, "VECTOR_EXTENSION_MISSING", missing)
    return owner


def _info(base: KnowledgeBase) -> dict[str, Any]:
    status = {None: "empty", "completed": "ready", "queued": "ingesting", "in_progress": "ingesting"}.get(
        base.last_job_status, "failed")
    if status == "ready" and not base.chunks:
        status = "empty"
    return {
        "id": str(base.id), "dir_name": base.name, "name": base.name.replace("_", " "),
        "embedding_provider": base.embedding_provider, "embedding_model": base.embedding_model,
        "size": base.characters, "words": base.words, "characters": base.characters, "chunks": base.chunks,
        "avg_chunk_size": round(base.characters / base.chunks, 1) if base.chunks else 0.0,
        "chunk_size": base.chunk_size, "chunk_overlap": base.chunk_overlap, "separator": base.separator,
        "status": status, "failure_reason": None,
        "last_job_id": None if base.last_job_id is None else str(base.last_job_id),
        "source_types": ["file_upload"] if base.chunks else [], "column_config": None,
        "backend_type": "postgres", "backend_config": {}, "storage_state": "ready", "storage_generation": 1,
        "created_at": converter.unstructure(base.created_at), "updated_at": converter.unstructure(base.updated_at),
    }


def _not_found(name: str) -> ApiError:
    return ApiError(404, "KNOWLEDGE_BASE_NOT_FOUND", f"Knowledge base '{name}' not found.")


async def _base(request: Request, owner: str) -> KnowledgeBase:
    name = request.path_params["kb_name"]
    base = await knowledge.describe(request.app.state.sluice.pool, owner, name)
    if base is None:
        raise _not_found(name)
    return base


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "INVALID_REQUEST", f"The field `{key}` must be a non-empty string.")
    return value.strip()


async def create_knowledge_base(request: Request) -> Response:
    owner = await vector_owner(request)
    body = await read_json(request)
    if not isinstance(body, Mapping):
        raise ApiError(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    name = _text(body, "name").replace(" ", "_")
    if not MIN_NAME_LENGTH <= len(name) <= MAX_NAME_LENGTH or any(c in name for c in "/\\\0") or name in (".", ".."):
        raise ApiError(400, "INVALID_REQUEST", f"Knowledge base name must be {MIN_NAME_LENGTH} to {MAX_NAME_LENGTH} "
                       "characters, without slashes.")
    pool = request.app.state.sluice.pool
    created = await knowledge.create(pool, base_id=uuid.uuid4(), owner=owner, name=name,
                                     embedding_provider=_text(body, "embedding_provider"),
                                     embedding_model=_text(body, "embedding_model"))
    if not created:
        raise ApiError(409, "KNOWLEDGE_BASE_EXISTS", f"Knowledge base '{name}' already exists.")
    base = await knowledge.describe(pool, owner, name)
    assert base is not None
    return JSONResponse(_info(base), status_code=201)


async def list_knowledge_bases(request: Request) -> Response:
    owner = await vector_owner(request)
    return JSONResponse([_info(base) for base in await knowledge.list_all(request.app.state.sluice.pool, owner)])


async def get_knowledge_base(request: Request) -> Response:
    owner = await vector_owner(request)
    return JSONResponse(_info(await _base(request, owner)))


async def delete_knowledge_base(request: Request) -> Response:
    owner = await vector_owner(request)
    name = request.path_params["kb_name"]
    if not await knowledge.delete(request.app.state.sluice.pool, owner, name):
        raise _not_found(name)
    return JSONResponse({"message": f"Knowledge base '{name}' deleted successfully"})


def _form_int(form: Any, name: str, default: int, bounds: tuple[int, int]) -> int:
    raw = form.get(name)
    try:
        value = default if raw in (None, "") else int(str(raw))
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST", f"The field `{name}` must be a whole number.") from None
    if not bounds[0] <= value <= bounds[1]:
        raise ApiError(400, "INVALID_REQUEST", f"The field `{name}` must be between {bounds[0]} and {bounds[1]}.")
    return value


async def ingest_files(request: Request) -> Response:
    owner = await vector_owner(request)
    base = await _base(request, owner)
    settings = request.app.state.sluice.settings
    async with request.form(max_files=100) as form:
        size = _form_int(form, "chunk_size", 1000, CHUNK_SIZE_RANGE)
        overlap = _form_int(form, "chunk_overlap", 200, CHUNK_OVERLAP_RANGE)
        if overlap > size:
            raise ApiError(400, "INVALID_REQUEST", f"Chunk overlap ({overlap}) can't be larger than chunk size "
                           f"({size}).")
        separator = str(form.get("separator") or "")
        uploads = []
        for item in form.getlist("files"):
            if not isinstance(item, UploadFile):
                raise ApiError(400, "INVALID_REQUEST", "Each `files` part must be a file.")
            content = await item.read()
            if len(content) > settings.file_max_bytes:
                raise ApiError(413, "FILE_TOO_LARGE", f"{item.filename} is larger than the "
                               f"{settings.file_max_bytes} bytes a file may hold.")
            uploads.append(Upload(item.filename or "upload", item.content_type or "application/octet-stream",
                                  content))
    if not uploads:
        raise ApiError(400, "INVALID_REQUEST", "No files provided.")
    job_id = await ingest(request.app.state.sluice.pool, settings, base, uploads, chunk_size=size,
                          chunk_overlap=overlap, separator=separator)
    # 200, as Langflow answers its TaskResponse; the job goes on in the background.
    return JSONResponse({"id": str(job_id), "href": f"/api/v2/workflows?job_id={job_id}"})


def query_int(request: Request, name: str, default: int, bounds: tuple[int, int]) -> int:
    raw = request.query_params.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST", f"The query parameter `{name}` must be a whole number.") from None
    if not bounds[0] <= value <= bounds[1]:
        raise ApiError(400, "INVALID_REQUEST", f"The query parameter `{name}` must be between {bounds[0]} and "
                       f"{bounds[1]}.")
    return value


async def list_chunks(request: Request) -> Response:
    owner = await vector_owner(request)
    base = await _base(request, owner)
    page = query_int(request, "page", 1, (1, 1_000_000))
    limit = query_int(request, "limit", 50, (1, 100))
    hits, total = await knowledge.list_chunks(request.app.state.sluice.pool, base.id,
                                              request.query_params.get("search", ""), limit, (page - 1) * limit)
    chunks = [{"id": str(hit.id), "content": hit.content, "char_count": len(hit.content), "metadata": hit.metadata}
              for hit in hits]
    return JSONResponse({"chunks": chunks, "total": total, "page": page, "limit": limit,
                         "total_pages": math.ceil(total / limit) if total else 0})
