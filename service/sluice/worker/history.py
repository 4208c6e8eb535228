"""A run's chat history in a worker: the session as PostgreSQL has it, plus what the run stored.

What the run stores waits in memory until the job's final write, which inserts it in the same
statement (store/sql/transition_jobs.sql). So a run whose job was stopped or taken over stores
nothing, a retried job stores its messages once, and a chat turn costs no commit of its own.
"""

from __future__ import annotations

import itertools

import asyncpg

from sluice.engine.history import newest_matching, sent
from sluice.engine.values import Message
from sluice.models import ChatMessage
from sluice.store import messages


class DatabaseHistory:
    """One run's history in a worker. What the run stores is appended to `unwritten`, which the
    job's final write takes along; reads see it before the stored messages of the session."""

    def __init__(self, pool: asyncpg.Pool, unwritten: list[ChatMessage]) -> None:
        self._pool = pool
        self.unwritten = unwritten

    async def add(self, owner: str, message: Message) -> None:
        self.unwritten.append(sent(owner, message))

    async def recent(self, owner: str, session_id: str, limit: int, sender: str | None = None,
                     sender_name: str | None = None) -> list[ChatMessage]:
        rows = await messages.recent(self._pool, owner=owner, session_id=session_id, limit=limit, sender=sender,
                                     sender_name=sender_name)
        stored = (ChatMessage(owner, row["session_id"], row["sender"], row["sender_name"], row["text"],
                              row["created_at"]) for row in rows)
        session = [message for message in self.unwritten if (message.owner, message.session_id) == (owner, session_id)]
        mine = newest_matching(session, sender, sender_name)
        return list(itertools.islice(itertools.chain(mine, stored), limit))
