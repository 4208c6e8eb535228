"""Message History (Langflow's `Memory`): reads a session's stored messages, or stores one.

Retrieve returns the latest `n_messages` of the session (optionally of one sender), in the chosen
order, as a table (`dataframe`), as Data items (`messages`) and as text (`messages_text`: each
message rendered with `template` and joined by newlines). Store saves the incoming message and
returns it (`stored_messages`). The session is the node's `session_id`, else the run's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from sluice.engine.component import Component
from sluice.engine.components.chat import session_of
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.template import render
from sluice.engine.values import Data, DataFrame, Message, to_text
from sluice.models import ChatMessage

# Langflow's cap on a retrieval when `n_messages` is empty.
MAX_MESSAGES = 10_000
EVERY_SENDER = "Machine and User"
DEFAULT_TEMPLATE = "{sender_name}: {text}"
# A message's display properties as Langflow prints its defaults in a table cell.
DEFAULT_PROPERTIES = ("text_color=None background_color=None edited=False source=Source(id=None, display_name=None, "
                      "source=None) icon=None allow_markdown=False positive_feedback=None state='complete' "
                      "targets=[] usage=None build_duration=None")


class Memory(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        if params.get("mode") == "Store":
            return {"stored_messages": await _store(params, context)}
        rows = [_row(stored) for stored in await _retrieve(node, params, context)]
        template = to_text(params.get("template")) or DEFAULT_TEMPLATE
        return {
            "dataframe": DataFrame(tuple(rows)),
            "messages": [Data(row) for row in rows],
            "messages_text": Message(text="\n".join(render(template, row) for row in rows), sender="Machine",
                                     sender_name="AI"),
        }


async def _retrieve(node: Node, params: Mapping[str, Any], context: RunContext) -> list[ChatMessage]:
    limit = _count(params.get("n_messages"))
    if limit == 0:
        return []
    # Newer exports filter with `sender_type` and keep `sender` for Store mode; older ones filter with `sender`.
    kind = to_text(params.get("sender_type" if "sender_type" in node.fields else "sender"))
    newest_first = await context.history.recent(
        context.owner,
        session_of(params, context),
        limit or MAX_MESSAGES,
        sender=None if kind in ("", EVERY_SENDER) else kind,
        sender_name=to_text(params.get("sender_name")) or None,
    )
    return newest_first if params.get("order") == "Descending" else newest_first[::-1]


async def _store(params: Mapping[str, Any], context: RunContext) -> Message:
    incoming = params.get("message")
    given = incoming if isinstance(incoming, Message) else Message(text=to_text(incoming), sender="", sender_name="")
    message = Message(
        text=given.text,
        sender=to_text(params.get("sender")) or given.sender or "Machine",
        sender_name=to_text(params.get("sender_name")) or given.sender_name or "AI",
        session_id=to_text(params.get("session_id")) or given.session_id or context.session_id,
        files=given.files,
    )
    await context.history.add(context.owner, message)
    return message


def _row(stored: ChatMessage) -> dict[str, Any]:
    """A stored message with every field of Langflow's message, in its order. Sluice keeps no message
    id, run id or flow id: those are empty. `properties` reads as Langflow's defaults print."""
    return {
        "text": stored.text,
        "sender": stored.sender,
        "sender_name": stored.sender_name,
        "session_id": stored.session_id,
        "context_id": "",
        "files": [],
        "run_id": None,
        "timestamp": stored.timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
        "flow_id": None,
        "error": False,
        "edit": False,
        "properties": DEFAULT_PROPERTIES,
        "category": "message",
        "content_blocks": [],
        "duration": None,
        "session_metadata": None,
        "id": None,
    }


def _count(value: Any) -> int | None:
    """`n_messages` as a number; None (no limit given) for an empty or unreadable value."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return None
