"""What a component may use while it runs: the job it belongs to, and a way to record events."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import attrs

if TYPE_CHECKING:
    from sluice.engine.values import Message

EventSink = Callable[[str, Mapping[str, Any]], None]


class MessageHistory(Protocol):
    """The stored conversation of a session, as the Agent reads it for its chat history."""

    async def recent(self, session_id: str, limit: int) -> Sequence[Message]:
        """Up to `limit` most recent messages of the session, oldest first."""
        ...


def _discard(event_type: str, data: Mapping[str, Any]) -> None:
    return None


@attrs.define
class RunContext:
    job_id: UUID
    owner: str
    flow_id: UUID
    session_id: str
    # Records an event in the job's durable log (e.g. a model's `token` chunks).
    emit: EventSink = _discard
    # The owner's message history, where the worker provides one.
    history: MessageHistory | None = None
