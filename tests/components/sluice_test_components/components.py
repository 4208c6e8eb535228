"""Sleep passes its input on after `seconds`; Fail raises. Both stand in for real work in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


class Sleep(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        await asyncio.sleep(float(params.get("seconds") or 0))
        return {"text": Message(text=to_text(params.get("input_value")), sender="Machine")}


class Fail(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        raise ComponentError(str(params.get("message") or "failed on purpose"))
