"""Sleep passes its input on after `seconds`; Fail raises; Greet greets; Tokens streams its input as a
model streams its answer. They stand in for real work in tests."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, Message, data_items, to_text


class Sleep(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        await asyncio.sleep(float(params.get("seconds") or 0))
        return {"text": Message(text=to_text(params.get("input_value")), sender="Machine")}


class Fail(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        raise ComponentError(str(params.get("message") or "failed on purpose"))


class Greet(Component):
    """`{greeting}, {name}`: a tool-mode test node with one field the model fills and one the flow wires."""

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        greeting = to_text(params.get("greeting")) or "Hello"
        return {"text": Message(text=f"{greeting}, {to_text(params.get('name'))}", sender="Machine")}
class Tokens(Component):
    """Emits its input word by word as `token` events (`delay` seconds apart), then passes it on.
    `event_type` names the events something else (a hostile name, for the stream's framing)."""

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        text = to_text(params.get("input_value"))
        event_type = to_text(params.get("event_type")) or "token"
        # Split before each word, keeping all whitespace, so the chunks join back to the text exactly.
        for chunk in filter(None, re.split(r"(?<=\s)(?=\S)", text)):
            context.emit(event_type, {"component_id": node.id, "chunk": chunk})
            await asyncio.sleep(float(params.get("delay") or 0))
        return {"text": Message(text=text, sender="Machine")}


class Sequence(Component):
    """`count` Data items `{"q": i}`, as LoopTest's SequenceMaker custom component makes ten."""

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        return {"output": [Data({"q": number}) for number in range(int(params.get("count", 10)))]}


class Zip(Component):
    """Pairs the Data of `list1` and `list2` and returns the pairs as JSON text, as LoopTest's MyZipper does."""

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        pairs = [[dict(a.data), dict(b.data)]
                 for a, b in zip(data_items(params.get("list1")), data_items(params.get("list2")), strict=False)]
        return {"output": Message(text=json.dumps(pairs), sender="Machine")}
