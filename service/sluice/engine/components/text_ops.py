"""Combine Text (`CombineText`) and Split Text (`SplitText`).

Split Text cuts each input text at `separator` and packs the pieces into chunks of at most
`chunk_size` characters that overlap by up to `chunk_overlap`, as LangChain's character splitter
(which Langflow uses) does; a piece longer than `chunk_size` stays whole. Each chunk keeps its
source Data's other keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, DataFrame, Message, data_items, to_text


class CombineText(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        delimiter = to_text(params.get("delimiter")) if params.get("delimiter") is not None else " "
        text = delimiter.join((to_text(params.get("text1")), to_text(params.get("text2"))))
        return {"combined_text": Message(text=text, sender="Machine")}


def _pieces(text: str, separator: str, keep: str) -> list[str]:
    if not separator:
        return list(text)
    if keep in ("True", "Start"):
        parts = re.split(f"(?={re.escape(separator)})", text)
    elif keep == "End":
        parts = re.split(f"(?<={re.escape(separator)})", text)
    else:
        parts = text.split(separator)
    return [part for part in parts if part]


def split_text(text: str, separator: str, size: int, overlap: int, keep: str = "False") -> list[str]:
    joiner = "" if keep in ("True", "Start", "End") else separator
    chunks: list[str] = []
    current: list[str] = []
    length = 0  # of "joiner".join(current)
    for piece in _pieces(text, separator, keep):
        added = len(piece) + (len(joiner) if current else 0)
        if current and length + added > size:
            chunks.append(joiner.join(current).strip())
            # Keep a tail of the last chunk as the overlap, as long as the next piece still fits.
            while current and (length > overlap or length + len(piece) + len(joiner) > size):
                length -= len(current.pop(0)) + (len(joiner) if current else 0)
            added = len(piece) + (len(joiner) if current else 0)
        current.append(piece)
        length += added
    if current:
        chunks.append(joiner.join(current).strip())
    return [chunk for chunk in chunks if chunk]


def _int(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name)
    try:
        return default if value in (None, "") else int(value)
    except (TypeError, ValueError):
        raise ComponentError(f"{name} must be a whole number, not {value!r}") from None


class SplitText(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        size, overlap = _int(params, "chunk_size", 1000), _int(params, "chunk_overlap", 200)
        if size <= 0 or overlap < 0 or overlap > size:
            raise ComponentError(f"chunk_size must be positive and chunk_overlap between 0 and it "
                                 f"(got {size} and {overlap})")
        # The separator is typed in a text box: `\n` there means a newline.
        separator = to_text(params.get("separator") if params.get("separator") is not None else "\n")
        separator = separator.encode().decode("unicode_escape") if "\\" in separator else separator
        text_key = to_text(params.get("text_key")) or "text"
        keep = str(params.get("keep_separator") or "False")
        chunks: list[Data] = []
        for item in data_items(params.get("data_inputs")):
            source = item.data.get(text_key, item.text)
            rest = {key: value for key, value in item.data.items() if key != text_key}
            chunks.extend(Data({**rest, text_key: chunk}, text_key)
                          for chunk in split_text(to_text(source), separator, size, overlap, keep))
        return {"dataframe": DataFrame(tuple(chunk.data for chunk in chunks)), "chunks": chunks}
