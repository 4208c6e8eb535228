"""Text Input and Text Output: plain text in and out of a flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


class TextInput(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        return {"text": Message(text=to_text(params.get("input_value")), sender="User", sender_name="User")}


class TextOutput(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        return {"text": Message(text=to_text(params.get("input_value")), sender="Machine", sender_name="AI")}
