"""Fills `{name}` (or mustache `{{name}}`) placeholders in templates that come from flows and callers.

Names are looked up as plain keys. Python's str.format is never used on a template: a template is
caller data, and format strings can reach attributes and items (`{0.__class__}`, `{x.__init__}`).
A placeholder such as `{a.b}` is simply the key "a.b".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sluice.engine.values import to_text

# f-string style: `{{` and `}}` are literal braces, `{name}` a variable.
_SINGLE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
# Mustache style (use_double_brackets): `{{name}}` is a variable, single braces are text.
_DOUBLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


class MissingKey(KeyError):
    """A strict template names a key its values do not have."""


def variables(template: str, double_brackets: bool = False) -> list[str]:
    """The variable names a template uses, in order of first appearance."""
    if double_brackets:
        names = _DOUBLE.findall(template)
    else:
        names = [m.group(1) for m in _SINGLE.finditer(template) if m.group(1) is not None]
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def _text(value: Any) -> str:
    # Plain lists and objects (a parsed JSON row's fields) read as Python prints them, as Langflow's
    # str.format renders them; edge values (Message, Data, a list of them) as their text.
    if isinstance(value, dict) or (isinstance(value, list | tuple) and all(
            isinstance(item, str | int | float | bool) or item is None for item in value)):
        return str(value)
    return to_text(value)


def render(template: str, values: Mapping[str, Any], double_brackets: bool = False, strict: bool = False) -> str:
    """The template with each placeholder replaced by its value's text.

    A name without a value gives an empty string, or MissingKey when `strict` (as str.format fails).
    """

    def value(name: str) -> str:
        name = name.strip()
        if name in values:
            return _text(values[name])
        if strict:
            raise MissingKey(name)
        return ""

    if double_brackets:
        return _DOUBLE.sub(lambda m: value(m.group(1)), template)
    return _SINGLE.sub(lambda m: m.group(0)[0] if m.group(1) is None else value(m.group(1)), template)
