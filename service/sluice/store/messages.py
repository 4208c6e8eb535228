"""Chat history: the messages of an owner's sessions, written and read by chat components."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from sluice.sql import statement


async def add(conn: Any, *, owner: str, session_id: str, sender: str, sender_name: str, text: str,
              job_id: UUID | None) -> tuple[int, datetime]:
    row = await conn.fetchrow(statement("insert_message"), owner, session_id, sender, sender_name, text, job_id)
    return row["id"], row["created_at"]


async def recent(conn: Any, *, owner: str, session_id: str, limit: int, sender: str | None = None,
                 sender_name: str | None = None) -> list[asyncpg.Record]:
    """Up to `limit` messages of the session, newest first."""
    return await conn.fetch(statement("recent_messages"), owner, session_id, limit, sender, sender_name)
