"""Chat history: the messages of an owner's sessions, as chat components store and read them.

Components see a `History`. In a worker each run gets one backed by PostgreSQL
(sluice/worker/history.py); a graph run in-process without a database (the bench, unit tests)
keeps history in memory (`LocalHistory`), so Memory still sees what Chat Input stored earlier in
that process.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol

from sluice.engine.values import Message
from sluice.models import ChatMessage


def sent(owner: str, message: Message) -> ChatMessage:
    return ChatMessage(owner, message.session_id, message.sender, message.sender_name, message.text,
                       datetime.now(UTC))


class History(Protocol):
    async def add(self, owner: str, message: Message) -> None: ...

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[ChatMessage]:
        """Up to `limit` messages of the session, newest first, optionally of one sender / sender name."""
        ...


def newest_matching(session: Sequence[ChatMessage], sender: str | None,
                     sender_name: str | None) -> Iterator[ChatMessage]:
    """A session's messages (oldest first) newest first, only those of the wanted senders."""
    return (message for message in reversed(session)
            if sender in (None, message.sender) and sender_name in (None, message.sender_name))


class LocalHistory:
    """History kept in this process's memory, for runs without a database."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[str, str], list[ChatMessage]] = {}

    async def add(self, owner: str, message: Message) -> None:
        self._sessions.setdefault((owner, message.session_id), []).append(sent(owner, message))

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[ChatMessage]:
        session = self._sessions.get((owner, session_id), [])
        return list(itertools.islice(newest_matching(session, sender, sender_name), limit))
