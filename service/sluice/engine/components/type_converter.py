"""Type Convert (`TypeConverterComponent`): turns its input into a Message, a Data or a DataFrame.

A minimal version, enough for Message History flows (a table of messages becomes a Markdown Message);
the output follows `output_type` as in Langflow: `message_output`, `data_output`, `dataframe_output`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, DataFrame, Message, to_text


def _message(value: Any) -> Message:
    if isinstance(value, Message):
        return value
    if isinstance(value, Mapping):
        return Message(text=to_text(value.get("text", str(dict(value)))))
    return Message(text=to_text(value))


def _data(value: Any) -> Data:
    if isinstance(value, Data):
        return value
    if isinstance(value, Mapping):
        return Data(dict(value))
    if isinstance(value, DataFrame):
        return Data({"results": [dict(row) for row in value.rows]})
    return Data({"text": to_text(value)})


def _dataframe(value: Any) -> DataFrame:
    if isinstance(value, DataFrame):
        return value
    if isinstance(value, list | tuple):
        return DataFrame(tuple(_data(item).data for item in value))
    return DataFrame((_data(value).data,))


_CONVERSIONS = {
    "Message": ("message_output", _message),
    "Data": ("data_output", _data),
    "DataFrame": ("dataframe_output", _dataframe),
}


class TypeConverter(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        output, convert = _CONVERSIONS.get(str(params.get("output_type") or "Message"), _CONVERSIONS["Message"])
        return {output: convert(params.get("input_data"))}
