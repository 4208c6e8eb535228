"""Files that flows produce (SaveToFile) and that owners upload, kept in the database for their owner
and read back in slices for download."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from sluice.store.statements import statement


@attrs.frozen
class StoredFile:
    id: UUID
    name: str
    mime_type: str
    size: int
    # The first bytes of the content (all of it for a small file).
    head: bytes


async def read(conn: Any, file_id: UUID, owner: str, head_bytes: int) -> StoredFile | None:
    row = await conn.fetchrow(statement("read_file"), file_id, owner, head_bytes)
    if row is None:
        return None
    return StoredFile(file_id, row["name"], row["mime_type"], row["size"], row["head"])


async def read_chunk(conn: Any, file_id: UUID, start: int, length: int) -> bytes:
    """`length` bytes from byte `start` (0-based)."""
    return await conn.fetchval(statement("read_file_chunk"), file_id, start + 1, length) or b""


async def insert(conn: Any, *, file_id: UUID, owner: str, job_id: UUID | None, name: str, mime_type: str,
                 content: bytes, flow_id: UUID | None = None) -> datetime:
    """Store a file (a job's, or with no job an upload); returns when it was stored."""
    return await conn.fetchval(statement("insert_file"), file_id, owner, job_id, name, mime_type, len(content),
                               content, flow_id)


@attrs.frozen
class UploadedFile:
    id: UUID
    name: str
    mime_type: str
    size: int
    flow_id: UUID | None
    created_at: datetime


async def list_uploads(conn: Any, owner: str) -> list[UploadedFile]:
    rows = await conn.fetch(statement("list_uploaded_files"), owner)
    return [UploadedFile(row["id"], row["name"], row["mime_type"], row["size"], row["flow_id"], row["created_at"])
            for row in rows]


async def delete(conn: Any, file_id: UUID, owner: str) -> str | None:
    """Delete the owner's file; its name, or None when the owner has none of that id."""
    return await conn.fetchval(statement("delete_file"), file_id, owner)
