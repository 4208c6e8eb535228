"""Prompt (also exported as "Prompt Template"): fills a template's `{variables}`.

Each variable is a field of the node (Langflow lists them in `custom_fields.template`), typed or fed
by an edge; `use_double_brackets` switches to mustache `{{variable}}` placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Field, Node
from sluice.engine.template import render, variables
from sluice.engine.values import Message, to_text


class Prompt(Component):
    def node_fields(self, node: Node) -> Mapping[str, Field]:
        """One text field per variable: those of the exported template and those in `custom_fields`."""
        template = to_text(node.value("template"))
        names = variables(template, bool(node.value("use_double_brackets")))
        custom = node.extra.get("custom_fields")
        if isinstance(custom, Mapping) and isinstance(custom.get("template"), list):
            names += [str(name) for name in custom["template"]]
        return {name: Field(name=name, value="") for name in names}

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        template = to_text(params.get("template"))
        double = bool(params.get("use_double_brackets"))
        return {"prompt": Message(text=render(template, params, double), sender="Machine")}
