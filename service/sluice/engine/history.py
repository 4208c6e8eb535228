"""Chat history: the messages of an owner's sessions, as chat components store and read them.

In a worker each run gets a `DatabaseHistory`: it reads the session from PostgreSQL (`messages`),
and what the run stores waits in memory until the job's final write, which inserts it in the same
statement (store/sql/transition_jobs.sql). So a run whose job was stopped or taken over stores nothing,
a retried job stores its messages once, and a chat turn costs no commit of its own. A graph run
in-process without a database (the bench, unit tests) keeps history in memory (`LocalHistory`), so
Memory still sees what Chat Input stored earlier in that process.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol

import asyncpg

from sluice.engine.values import Message
from sluice.models import ChatMessage
from sluice.store import messages


def _sent(owner: str, message: Message) -> ChatMessage:
    return ChatMessage(owner, message.session_id, message.sender, message.sender_name, message.text,
                       datetime.now(UTC))


class History(Protocol):
    async def add(self, owner: str, message: Message) -> None: ...

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[ChatMessage]:
        """Up to `limit` messages of the session, newest first, optionally of one sender / sender name."""
        ...


def _newest_matching(session: Sequence[ChatMessage], sender: str | None,
                     sender_name: str | None) -> Iterator[ChatMessage]:
    """A session's messages (oldest first) newest first, only those of the wanted senders."""
    return (message for message in reversed(session)
            if sender in (None, message.sender) and sender_name in (None, message.sender_name))


class DatabaseHistory:
    """One run's history in a worker. What the run stores is appended to `unwritten`, which the
    job's final write takes along; reads see it before the stored messages of the session."""

    def __init__(self, pool: asyncpg.Pool, unwritten: list[ChatMessage]) -> None:
        self._pool = pool
        self.unwritten = unwritten

    async def add(self, owner: str, message: Message) -> None:
        self.unwritten.append(_sent(owner, message))

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[ChatMessage]:
        rows = await messages.recent(self._pool, owner=owner, session_id=session_id, limit=limit, sender=sender,
                                     sender_name=sender_name)
        stored = (ChatMessage(owner, row["session_id"], row["sender"], row["sender_name"], row["text"],
                              row["created_at"]) for row in rows)
        session = [message for message in self.unwritten if (message.owner, message.session_id) == (owner, session_id)]
        mine = _newest_matching(session, sender, sender_name)
        return list(itertools.islice(itertools.chain(mine, stored), limit))


class LocalHistory:
    """History kept in this process's memory, for runs without a database."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[str, str], list[ChatMessage]] = {}

    async def add(self, owner: str, message: Message) -> None:
        self._sessions.setdefault((owner, message.session_id), []).append(_sent(owner, message))

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[ChatMessage]:
        session = self._sessions.get((owner, session_id), [])
        return list(itertools.islice(_newest_matching(session, sender, sender_name), limit))
