"""Combine Text (`CombineText`) and Split Text (`SplitText`).

Split Text cuts each input text at `separator` and packs the pieces into chunks of at most
`chunk_size` characters that overlap by up to `chunk_overlap`, as LangChain's character splitter
(which Langflow uses) does (sluice/engine/chunking.py); a piece longer than `chunk_size` stays
whole. Each chunk keeps its source Data's other keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine.chunking import Keep, split_by_separator
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, DataFrame, Message, data_items, to_text


class CombineText(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        delimiter = to_text(params.get("delimiter")) if params.get("delimiter") is not None else " "
        text = delimiter.join((to_text(params.get("text1")), to_text(params.get("text2"))))
        return {"combined_text": Message(text=text, sender="Machine")}


# Langflow's Split Text offers keep_separator as False/True/Start/End; LangChain takes False/"start"/"end".
_KEEP: dict[str, Keep] = {"True": "start", "Start": "start", "End": "end"}


def _int(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name)
    try:
        return default if value in (None, "") else int(value)
    except (TypeError, ValueError):
        raise ComponentError(f"{name} must be a whole number, not {value!r}") from None


class SplitText(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        size, overlap = _int(params, "chunk_size", 1000), _int(params, "chunk_overlap", 200)
        # The separator is typed in a text box: `\n` there means a newline.
        separator = to_text(params.get("separator") if params.get("separator") is not None else "\n")
        separator = separator.encode().decode("unicode_escape") if "\\" in separator else separator
        text_key = to_text(params.get("text_key")) or "text"
        keep = _KEEP.get(str(params.get("keep_separator")), False)
        chunks: list[Data] = []
        for item in data_items(params.get("data_inputs")):
            source = item.data.get(text_key, item.text)
            rest = {key: value for key, value in item.data.items() if key != text_key}
            try:
                pieces = split_by_separator(to_text(source), separator, size, overlap, keep)
            except ValueError as error:
                raise ComponentError(str(error)) from None
            chunks.extend(Data({**rest, text_key: chunk}, text_key) for chunk in pieces)
        return {"dataframe": DataFrame(tuple(chunk.data for chunk in chunks)), "chunks": chunks}
