"""Chat history: the messages of an owner's sessions, as chat components store and read them.

Workers keep it in PostgreSQL (`messages`). A graph run in-process without a database (the bench,
unit tests) keeps it in memory, so Memory still sees what Chat Input stored earlier in that process.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

import asyncpg
import attrs

from sluice.engine.values import Message
from sluice.store import messages


@attrs.frozen
class StoredMessage:
    id: int
    session_id: str
    sender: str
    sender_name: str
    text: str
    timestamp: datetime


class History(Protocol):
    async def add(self, owner: str, job_id: UUID, message: Message) -> StoredMessage: ...

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[StoredMessage]:
        """Up to `limit` messages of the session, newest first, optionally of one sender / sender name."""
        ...


class DatabaseHistory:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(self, owner: str, job_id: UUID, message: Message) -> StoredMessage:
        message_id, created_at = await messages.add(
            self._pool, owner=owner, session_id=message.session_id, sender=message.sender,
            sender_name=message.sender_name, text=message.text, job_id=job_id,
        )
        return StoredMessage(message_id, message.session_id, message.sender, message.sender_name, message.text,
                             created_at)

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[StoredMessage]:
        rows = await messages.recent(self._pool, owner=owner, session_id=session_id, limit=limit, sender=sender,
                                     sender_name=sender_name)
        return [StoredMessage(row["id"], row["session_id"], row["sender"], row["sender_name"], row["text"],
                              row["created_at"]) for row in rows]


class LocalHistory:
    """History kept in this process's memory, for runs without a database."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[str, str], list[StoredMessage]] = {}
        self._ids = itertools.count(1)

    async def add(self, owner: str, job_id: UUID, message: Message) -> StoredMessage:
        stored = StoredMessage(next(self._ids), message.session_id, message.sender, message.sender_name,
                               message.text, datetime.now(UTC))
        self._sessions.setdefault((owner, message.session_id), []).append(stored)
        return stored

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[StoredMessage]:
        matching = (
            stored for stored in reversed(self._sessions.get((owner, session_id), ()))
            if sender in (None, stored.sender) and sender_name in (None, stored.sender_name)
        )
        return list(itertools.islice(matching, limit))
