"""Chat Input and Chat Output: a run's user message in, the flow's answer out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


def _session(params: Mapping[str, Any], context: RunContext) -> str:
    session = params.get("session_id")
    return session if isinstance(session, str) and session else context.session_id


class ChatInput(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        message = Message(
            text=to_text(params.get("input_value")),
            sender=str(params.get("sender") or "User"),
            sender_name=str(params.get("sender_name") or "User"),
            session_id=_session(params, context),
        )
        return {"message": message}


class ChatOutput(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        message = Message(
            text=to_text(params.get("input_value")),
            sender=str(params.get("sender") or "Machine"),
            sender_name=str(params.get("sender_name") or "AI"),
            session_id=_session(params, context),
        )
        return {"message": message}
