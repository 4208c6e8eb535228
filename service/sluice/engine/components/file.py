"""Read File (`File`): the text of files its owner uploaded, as Langflow 1.13's standard parser reads
them (sluice/engine/parsing.py).

The node's `path` holds the stored names Langflow's files API answered (`<folder>/<file id>.<ext>`);
the file id is read back through the worker's `read_upload`, as the job's owner: another owner's file
is not found, like a missing one. The texts are joined with `separator` into `message`; one CSV or
JSON file is also a table (`dataframe`) and a value (`json`); `path` lists the stored names. The
Docling "Advanced Parser" is refused at upload.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

import orjson

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.parsing import TEXT_TYPES, ParseError, decode, extension, read_text
from sluice.engine.values import Data, DataFrame, Message, to_text


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _paths(params: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for name in ("path", "file_path"):
        value = params.get(name)
        for item in value if isinstance(value, list | tuple) else [value]:
            text = to_text(item).strip() if item is not None else ""
            found.extend(line.strip() for line in text.splitlines() if line.strip())
    return list(dict.fromkeys(found))


def _file_id(path: str) -> uuid.UUID:
    try:
        return uuid.UUID(PurePosixPath(path).stem)
    except ValueError:
        raise ComponentError(f"{path} names no uploaded file: use the path the files API answered.") from None


def _table(kind: str, content: bytes) -> tuple[tuple[Mapping[str, Any], ...], Any] | None:
    if kind == "csv":
        rows = tuple(csv.DictReader(io.StringIO(decode(content))))
        return rows, list(rows)
    if kind == "json":
        value = orjson.loads(content)
        if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
            return tuple(value), value
        return ((value,) if isinstance(value, Mapping) else ({"value": value},)), value
    return None


class File(Component):
    def refusal(self, node: Node) -> str | None:
        if _truthy(node.value("advanced_mode")):
            return (f"Node {node.id} turns on the Advanced Parser (`advanced_mode`, Docling), which Sluice does not "
                    "provide: turn it off to use the standard parser.")
        return None

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        if context.services.read_upload is None:
            raise ComponentError("uploaded files are kept in Sluice's database: run this flow on a worker.")
        paths = _paths(params)
        if not paths:
            raise ComponentError("No file to read: put the path of an uploaded file in the node's `path`.")
        silent = _truthy(params.get("silent_errors"))
        skip_unsupported = params.get("ignore_unsupported_extensions") is None or _truthy(
            params.get("ignore_unsupported_extensions"))
        texts: list[str] = []
        read: list[tuple[str, str, bytes]] = []
        for path in paths:
            found = await context.services.read_upload(context.owner, _file_id(path))
            if found is None:
                raise ComponentError(f"File {path} was not found.")
            name, content = found
            if extension(name) not in TEXT_TYPES and skip_unsupported:
                continue
            try:
                texts.append(read_text(name, content))
            except ParseError as problem:
                if silent:
                    continue
                raise ComponentError(str(problem)) from None
            read.append((path, name, content))
        if not read:
            raise ComponentError(f"None of the files can be read: {', '.join(paths)} (supported are "
                                 f"{', '.join(sorted(TEXT_TYPES))}).")
        separator = to_text(params.get("separator") or "\n\n").replace("\\n", "\n").replace("\\t", "\t")
        outputs: dict[str, Any] = {"message": Message(text=separator.join(texts), sender="Machine"),
                                   "path": Message(text="\n".join(path for path, _, _ in read), sender="Machine")}
        table = _table(extension(read[0][1]), read[0][2]) if len(read) == 1 else None
        if table is not None:
            outputs["dataframe"], outputs["json"] = DataFrame(table[0]), Data(
                table[1] if isinstance(table[1], Mapping) else {"data": table[1]})
        else:
            rows = tuple({"text": text, "file_path": path} for text, (path, _, _) in zip(texts, read, strict=True))
            outputs["dataframe"], outputs["json"] = DataFrame(rows), Data(dict(rows[0]))
        return outputs
