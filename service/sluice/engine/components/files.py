"""Write File (`SaveToFile`): saves its input as a file in Sluice's database, owned by the job's owner.

The content is rendered as Langflow renders it for local storage: a Message as `txt`, `json`
(`{"message": text}`) or `markdown`; a Data or a table as `csv`, `json` or `markdown`. Each run
writes a new file (served by GET /api/v2/files/{id}); the output `message` says where it went and
appears in the response as type `file`.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

import attrs

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.outputs import TypedContent, TypedValue
from sluice.engine.values import Data, DataFrame, Message

MIME_TYPES = {"txt": "text/plain", "json": "application/json", "csv": "text/csv", "markdown": "text/markdown"}
MESSAGE_FORMATS = ("txt", "json", "markdown")
TABLE_FORMATS = ("csv", "json", "markdown")


@attrs.frozen
class SavedFile(Message, TypedValue):
    file_id: uuid.UUID = attrs.field(factory=uuid.uuid4)
    name: str = ""
    mime_type: str = ""
    size: int = 0

    @property
    def url(self) -> str:
        return f"/api/v2/files/{self.file_id}"

    def typed_content(self) -> TypedContent:
        return TypedContent("file", {"file_id": str(self.file_id), "name": self.name, "mime_type": self.mime_type,
                                     "size": self.size, "url": self.url})


class SaveToFile(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        location = _location(params.get("storage_location"))
        if location not in ("", "Local"):
            raise ComponentError(f"Storage location {location!r} is not available: files are kept by Sluice (Local).")
        # Current exports have `input`, `file_name`, `local_format`; 1.1-1.4 ones `df` / `data` /
        # `message`, `file_path` and `file_format`.
        value = next((params[name] for name in ("input", "df", "data", "message") if params.get(name) is not None),
                     None)
        if value is None:
            raise ComponentError("There is nothing to save: connect the input to save.")
        stem = PurePosixPath(str(params.get("file_name") or params.get("file_path") or "").replace("\\", "/")).name
        if not stem:
            raise ComponentError("File name must be provided.")
        file_format = str(params.get("local_format") or params.get("file_format") or "").lower()
        kind, content = _render(value, file_format)
        if len(content) > context.settings.file_max_bytes:
            raise ComponentError(f"The file would be larger than {context.settings.file_max_bytes} bytes "
                                 "(SLUICE_FILE_MAX_BYTES).")
        save_file = context.services.save_file
        if save_file is None:
            raise ComponentError("Saving a file needs Sluice's database; run the flow through a worker.")
        name = stem if stem.lower().endswith(f".{kind.format}") else f"{stem}.{kind.format}"
        file_id = uuid.uuid4()
        await save_file(file_id=file_id, owner=context.owner, job_id=context.job_id, name=name,
                           mime_type=MIME_TYPES[kind.format], content=content)
        saved = SavedFile(text="", sender="Machine", sender_name="AI", session_id=context.session_id,
                          file_id=file_id, name=name, mime_type=MIME_TYPES[kind.format], size=len(content))
        return {"message": attrs.evolve(saved, text=f"{kind.label} saved successfully as '{name}' at {saved.url}")}


@attrs.frozen
class _Kind:
    label: str
    format: str


def _location(value: Any) -> str:
    # A sortable list of `{"name": ...}` in current exports.
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return str(value[0].get("name", ""))
    if isinstance(value, Mapping):
        return str(value.get("name", ""))
    return str(value or "")


def _render(value: Any, file_format: str) -> tuple[_Kind, bytes]:
    if isinstance(value, Message):
        kind = _Kind("Message", _checked(file_format or "json", MESSAGE_FORMATS, "a Message"))
        text = {"txt": value.text, "json": json.dumps({"message": value.text}, indent=2),
                "markdown": f"**Message:**\n\n{value.text}"}[kind.format]
        return kind, text.encode()
    if isinstance(value, Data):
        kind = _Kind("Data", _checked(file_format or "json", TABLE_FORMATS, "a Data"))
        if kind.format == "json":
            return kind, json.dumps(dict(value.data), indent=2, default=str).encode()
        return kind, _table(DataFrame((value.data,)), kind.format)
    if isinstance(value, list | tuple):
        value = DataFrame(tuple(item.data if isinstance(item, Data) else item for item in value
                                if isinstance(item, Data | Mapping)))
    if isinstance(value, DataFrame):
        kind = _Kind("DataFrame", _checked(file_format or "csv", TABLE_FORMATS, "a DataFrame"))
        if kind.format == "json":
            return kind, json.dumps([dict(row) for row in value.rows], indent=2, default=str).encode()
        return kind, _table(value, kind.format)
    if isinstance(value, str):
        return _render(Message(text=value), file_format)
    raise ComponentError(f"Unsupported input type: {type(value).__name__}.")


def _checked(file_format: str, allowed: tuple[str, ...], what: str) -> str:
    if file_format not in allowed:
        raise ComponentError(f"Invalid file format {file_format!r} for {what}; allowed: {', '.join(allowed)}.")
    return file_format


def _table(frame: DataFrame, file_format: str) -> bytes:
    if file_format == "markdown":
        return frame.to_markdown().encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=frame.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(frame.rows)
    return out.getvalue().encode()
