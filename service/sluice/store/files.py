"""Files that flows produce (SaveToFile), kept in the database for their owner and read back in
slices for download."""

from __future__ import annotations

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


async def insert(conn: Any, *, file_id: UUID, owner: str, job_id: UUID, name: str, mime_type: str,
                 content: bytes) -> None:
    await conn.execute(statement("insert_file"), file_id, owner, job_id, name, mime_type, len(content), content)
