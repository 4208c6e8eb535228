"""Chat Input and Chat Output: a run's user message in, the flow's answer out.

Both store their message in the session's history when `should_store_message` is on (Langflow's
default), so a Memory node sees the conversation. Chat Input runs before the other starting nodes,
as in Langflow, which is why a Memory beside it already sees the new message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


def session_of(params: Mapping[str, Any], context: RunContext) -> str:
    """The node's own `session_id` when set, else the run's session."""
    session = params.get("session_id")
    return session if isinstance(session, str) and session else context.session_id


async def _send(params: Mapping[str, Any], context: RunContext, message: Message) -> Mapping[str, Any]:
    if params.get("should_store_message", True):
        await context.history.add(context.owner, message)
    return {"message": message}


def images_of(value: Any) -> tuple[str, ...]:
    """The images a Chat Input's `files` carries for a model: `data:` URIs and http(s) URLs.

    Files uploaded to a Langflow server (paths) do not exist here: they are refused by name.
    """
    entries = value if isinstance(value, list | tuple) else [value] if value else []
    images = []
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            continue
        if not entry.startswith(("data:image/", "https://", "http://")):
            raise ComponentError(f"the file {entry!r} is not available to Sluice: pass images as data: URIs or "
                                 "http(s) URLs.")
        images.append(entry)
    return tuple(images)


class ChatInput(Component):
    runs_first = True

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        message = Message(
            text=to_text(params.get("input_value")),
            sender=to_text(params.get("sender")) or "User",
            sender_name=to_text(params.get("sender_name")) or "User",
            session_id=session_of(params, context),
            files=images_of(params.get("files")),
        )
        return await _send(params, context, message)


class ChatOutput(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        incoming = params.get("input_value")
        message = Message(
            text=to_text(incoming),
            sender=to_text(params.get("sender")) or "Machine",
            sender_name=to_text(params.get("sender_name")) or "AI",
            session_id=session_of(params, context),
            # A model's answer keeps the tokens it cost, as Langflow's message properties do.
            usage=incoming.usage if isinstance(incoming, Message) else {},
        )
        return await _send(params, context, message)
