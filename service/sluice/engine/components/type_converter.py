"""Type Convert (`TypeConverterComponent`) and Message to Data (`MessagetoData`).

Type Convert takes its (first) input and makes it a Message, a Data or a DataFrame; its output's
name follows `output_type` as in Langflow: `message_output`, `data_output`, `dataframe_output`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, DataFrame, Message, as_data, data_items, to_text


def _message(value: Any) -> Message:
    if isinstance(value, Message):
        return value
    if isinstance(value, Mapping):
        return Message(text=to_text(value.get("text", str(dict(value)))))
    return Message(text=to_text(value))


def _dataframe(value: Any) -> DataFrame:
    if isinstance(value, DataFrame):
        return value
    return DataFrame(tuple(item.data for item in data_items(value)))


_CONVERSIONS = {
    "Message": ("message_output", _message),
    "Data": ("data_output", as_data),
    "DataFrame": ("dataframe_output", _dataframe),
}


class TypeConverter(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        output, convert = _CONVERSIONS.get(str(params.get("output_type") or "Message"), _CONVERSIONS["Message"])
        value = params.get("input_data")
        if isinstance(value, list) and output != "dataframe_output":
            value = value[0] if value else None
        return {output: convert(value)}


class MessageToData(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        message = params.get("message")
        if isinstance(message, str):
            message = Message(text=message)
        if isinstance(message, Message):
            return {"data": Data({"text": message.text, "sender": message.sender, "sender_name": message.sender_name,
                                  "session_id": message.session_id, "files": list(message.files)})}
        kind = type(message).__name__
        return {"data": Data({"error": f"Error converting Message to Data: expected a Message, got {kind}"})}
