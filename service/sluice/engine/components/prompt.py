"""Prompt (also exported as "Prompt Template"): fills a template's `{variables}`.

Each variable is a field of the node (Langflow lists them in `custom_fields.template`), typed or fed
by an edge; `use_double_brackets` switches to mustache `{{variable}}` placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.template import render
from sluice.engine.values import Message, to_text


class Prompt(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        template = to_text(params.get("template"))
        double = bool(params.get("use_double_brackets"))
        return {"prompt": Message(text=render(template, params, double), sender="Machine")}
