"""Prompt (also exported as "Prompt Template"): fills a template's `{variables}`.

Variables are replaced by name only. Python's str.format is never used on a template, because a
template is caller data and format strings can reach attributes (`{0.__class__}`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text

# f-string style: `{{` and `}}` are literal braces, `{name}` a variable.
_SINGLE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
# Mustache style (use_double_brackets): `{{name}}` is a variable, single braces are text.
_DOUBLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def variables(template: str, double_brackets: bool = False) -> list[str]:
    """The variable names a template uses, in order of first appearance."""
    if double_brackets:
        names = _DOUBLE.findall(template)
    else:
        names = [m.group(1) for m in _SINGLE.finditer(template) if m.group(1) is not None]
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def render(template: str, values: Mapping[str, Any], double_brackets: bool = False) -> str:
    if double_brackets:
        return _DOUBLE.sub(lambda m: to_text(values.get(m.group(1).strip(), "")), template)

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)[0]
        return to_text(values.get(match.group(1).strip(), ""))

    return _SINGLE.sub(replace, template)


class Prompt(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        template = to_text(params.get("template"))
        double = bool(params.get("use_double_brackets"))
        return {"prompt": Message(text=render(template, params, double), sender="Machine")}
