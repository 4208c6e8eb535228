"""Files that flows produce (SaveToFile), kept in the database for their owner."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sluice.sql import statement


async def insert(conn: Any, *, file_id: UUID, owner: str, job_id: UUID, name: str, mime_type: str,
                 content: bytes) -> None:
    await conn.execute(statement("insert_file"), file_id, owner, job_id, name, mime_type, len(content), content)
