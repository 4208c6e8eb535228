"""Loop (`LoopComponent`): hands its items one at a time to the nodes behind `item`.

The engine runs that body once per item and collects what comes back on the loop-back edge; the
collected values are released on `done`, as a DataFrame when the export's `done` is a table
(Langflow 1.10+) and as a list of Data before that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import DataFrame, as_data, data_items


class Loop(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        return {"item": data_items(params.get("data"))}

    def release(self, node: Node, collected: list[Any]) -> Mapping[str, Any]:
        done = next((out for out in node.outputs if out.name == "done"), None)
        items = [as_data(value) for value in collected]
        if done is not None and "DataFrame" in done.types:
            return {"done": DataFrame(tuple(item.data for item in items))}
        return {"done": items}
