"""ReverseText: returns its input text reversed. A node of type `ReverseText` in a flow runs this."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


class ReverseText(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        text = to_text(params.get("input_value"))
        if len(text) > 100_000:
            raise ComponentError("the text is too long to reverse (over 100,000 characters)")
        return {"text": Message(text=text[::-1], sender="Machine", sender_name="Reverser")}
