"""If-Else (`ConditionalRouter`): compares `input_text` with `match_text` and produces one branch.

The output the comparison does not choose is left out, so the branch behind it is skipped. The
chosen output carries `true_case_message` / `false_case_message` when set, else the `message`
passed through, else the input text. Without `case_sensitive` both texts are compared lowercased;
a bad regex or a number that does not parse makes the comparison false, as in Langflow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


def _regex(text: str, pattern: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _numbers(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def check(text: str, match: str) -> bool:
        try:
            return compare(float(text), float(match))
        except ValueError:
            return False

    return check


OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "equals": lambda text, match: text == match,
    "not equals": lambda text, match: text != match,
    "contains": lambda text, match: match in text,
    "does not contain": lambda text, match: match not in text,
    "starts with": str.startswith,
    "ends with": str.endswith,
    "regex": _regex,
    "less than": _numbers(lambda a, b: a < b),
    "greater than": _numbers(lambda a, b: a > b),
    "less than or equal": _numbers(lambda a, b: a <= b),
    "greater than or equal": _numbers(lambda a, b: a >= b),
}


def evaluate(text: str, operator: str, match: str, case_sensitive: bool) -> bool:
    compare = OPERATORS.get(operator)
    if compare is None:
        raise ComponentError(f"unknown operator {operator!r}; expected one of: {', '.join(OPERATORS)}")
    if not case_sensitive:
        text, match = text.lower(), match.lower()
    return compare(text, match)


class ConditionalRouter(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        text = to_text(params.get("input_text"))
        chosen = evaluate(text, str(params.get("operator") or "equals"), to_text(params.get("match_text")),
                          bool(params.get("case_sensitive")))
        override = params.get("true_case_message" if chosen else "false_case_message")
        passed = override or params.get("message") or text
        message = passed if isinstance(passed, Message) else Message(text=to_text(passed), sender="Machine")
        return {"true_result" if chosen else "false_result": message}
