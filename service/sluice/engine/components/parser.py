"""Parser (`ParserComponent`, also `parser`) and Parse Data (`ParseData`, "Data to Message").

Parser mode formats each table row, or the Data, with `pattern` and joins the lines with `sep`. As in
Langflow, a row without a key the pattern names is an error, while a Data's missing keys read as
empty. Stringify mode turns the whole input into one text. Parse Data renders each Data of a list
through `template`; a missing key is an error there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.template import MissingKey, render
from sluice.engine.values import Data, DataFrame, Message, data_items, to_text


def _separator(params: Mapping[str, Any]) -> str:
    sep = params.get("sep")
    return "\n" if sep is None else to_text(sep)


def _row_lines(pattern: str, rows: list[Mapping[str, Any]], strict: bool) -> list[str]:
    lines = []
    for number, row in enumerate(rows, 1):
        try:
            lines.append(render(pattern, row, strict=strict))
        except MissingKey as missing:
            raise ComponentError(f"the pattern names {missing.args[0]!r}, which row {number} does not have") from None
    return lines


def stringify(value: Any) -> str:
    """One text for a whole input: a Message's or Data's text, a Data as JSON without one, a table as Markdown."""
    if isinstance(value, Data):
        if value.text_key in value.data:
            return value.text
        return orjson.dumps(dict(value.data), default=str, option=orjson.OPT_INDENT_2).decode()
    if isinstance(value, list | tuple):
        return "\n".join(stringify(item) for item in value)
    return to_text(value)


class Parser(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        value = params.get("input_data")
        sep = _separator(params)
        if params.get("mode") == "Stringify" or params.get("stringify") is True:
            return {"parsed_text": Message(text=stringify(value), sender="Machine")}
        pattern = to_text(params.get("pattern"))
        if isinstance(value, DataFrame):
            lines = _row_lines(pattern, list(value.rows), strict=True)
        else:
            lines = _row_lines(pattern, [{**item.data, "text": item.text} for item in data_items(value)],
                               strict=False)
        return {"parsed_text": Message(text=sep.join(lines), sender="Machine")}


class ParseData(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        template = to_text(params.get("template") or "{text}")
        items = data_items(params.get("data"))
        lines = _row_lines(template, [{"data": dict(item.data), **item.data} for item in items], strict=True)
        rendered = [Data({**item.data, item.text_key: line}, item.text_key)
                    for item, line in zip(items, lines, strict=True)]
        return {"text": Message(text=_separator(params).join(lines), sender="Machine"), "data_list": rendered}
