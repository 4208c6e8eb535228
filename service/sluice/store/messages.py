"""Chat history: reading an owner's session. A job's final write stores the messages its run sent
(store/sql/transition_jobs.sql)."""

from __future__ import annotations

from typing import Any

import asyncpg

from sluice.store.statements import statement


async def recent(conn: Any, *, owner: str, session_id: str, limit: int, sender: str | None = None,
                 sender_name: str | None = None) -> list[asyncpg.Record]:
    """Up to `limit` messages of the session, newest first."""
    return await conn.fetch(statement("recent_messages"), owner, session_id, limit, sender, sender_name)
