"""Structured answers: an `output_schema` table as JSON Schema, and the model's JSON read back.

Langflow's schema rows are `{name, description, type, multiple}` with types str/int/float/bool/dict;
the model is asked for `{"objects": [...]}` (one or more matches), as Langflow's extractor does:
Structured Output forces a call of a tool named for the output model, which also works with models
that lack a JSON-schema mode; the Agent's structured response asks for JSON in its instructions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from sluice.engine.component import ComponentError
from sluice.engine.values import Data, DataFrame

_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "boolean": "boolean",
          "dict": "object", "list": "array"}
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def schema_rows(value: Any) -> list[Mapping[str, Any]]:
    """The usable rows of an `output_schema` field (a table value or a DataFrame)."""
    rows = value.rows if isinstance(value, DataFrame) else value
    if not isinstance(rows, list | tuple):
        return []
    return [row for row in rows if isinstance(row, Mapping) and isinstance(row.get("name"), str) and row["name"]]


def json_schema(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """`{"objects": [item, ...]}` where each item has one property per schema row."""
    properties: dict[str, Any] = {}
    for row in rows:
        kind: dict[str, Any] = {"type": _TYPES.get(str(row.get("type") or "str"), "string")}
        if _truthy(row.get("multiple")):
            kind = {"type": "array", "items": kind}
        if row.get("description"):
            kind["description"] = str(row["description"])
        properties[str(row["name"])] = kind
    item = {"type": "object", "properties": properties, "required": list(properties)}
    return {"type": "object", "properties": {"objects": {"type": "array", "items": item, "minItems": 1}},
            "required": ["objects"]}


# JSON Schema of each row type, as pydantic writes it for Langflow's output model.
_PYDANTIC = {"str": {"type": "string"}, "text": {"type": "string"}, "int": {"type": "integer"},
             "float": {"type": "number"}, "number": {"type": "number"}, "bool": {"type": "boolean"},
             "boolean": {"type": "boolean"}, "list": {"items": {}, "type": "array"},
             "dict": {"additionalProperties": True, "type": "object"}}


def extraction_tool(rows: Sequence[Mapping[str, Any]], name: str = "OutputModel") -> dict[str, Any]:
    """The tool whose forced call carries the answer, shaped as Langflow's extractor (trustcall) sends it:
    `{"objects": [item, ...]}`, the item's schema under `$defs`, keys in pydantic's order."""
    properties: dict[str, Any] = {}
    for row in rows:
        kind = _PYDANTIC.get(str(row.get("type") or "str"))
        if kind is None:
            raise ComponentError(f"Invalid type: {row.get('type')}")
        if _truthy(row.get("multiple")):
            kind = {"items": kind, "type": "array"}
        field = str(row["name"])
        properties[field] = {"description": str(row.get("description") or ""), **kind,
                             "title": field.replace("_", " ").title()}
        properties[field] = dict(sorted(properties[field].items()))
    item = {"properties": properties, "required": list(properties), "title": "OutputModel", "type": "object"}
    described = f"A list of {name}."
    parameters = {"$defs": {"OutputModel": item}, "description": described,
                  "properties": {"objects": {"description": described, "items": {"$ref": "#/$defs/OutputModel"},
                                             "minItems": 1, "title": "Objects", "type": "array"}},
                  "required": ["objects"], "title": name, "type": "object"}
    return {"type": "function", "function": {"name": name, "description": described, "parameters": parameters}}


def forced(tool: Mapping[str, Any]) -> dict[str, Any]:
    """The `tool_choice` that makes the model call `tool`."""
    return {"type": "function", "function": {"name": tool["function"]["name"]}}


def response_format(rows: Sequence[Mapping[str, Any]], name: str = "OutputModel") -> dict[str, Any]:
    """The chat-completions `response_format` asking for the schema (or any JSON object without one)."""
    if not rows:
        return {"type": "json_object"}
    return {"type": "json_schema",
            "json_schema": {"name": _schema_name(name), "schema": json_schema(rows), "strict": False}}


def instructions(instructions_text: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """The system prompt that asks for the JSON: the flow's instructions, then the schema itself."""
    wanted = (f"Answer only with JSON matching this JSON Schema:\n{orjson.dumps(json_schema(rows)).decode()}"
              if rows else "Answer only with one JSON object.")
    return f"{instructions_text}\n\n{wanted}" if instructions_text else wanted


def parse_objects(answer: str) -> list[dict[str, Any]]:
    """The objects of the model's JSON answer, or ComponentError when it is not such JSON."""
    document = _first_json(answer)
    if isinstance(document, Mapping) and isinstance(document.get("objects"), list):
        document = document["objects"]
    objects = [document] if isinstance(document, Mapping) else document
    if not isinstance(objects, list) or not objects or not all(isinstance(item, Mapping) for item in objects):
        excerpt = answer.strip()[:200]
        raise ComponentError(f"the model's answer is not JSON matching the output schema: {excerpt!r}.")
    return [dict(item) for item in objects]


def called_objects(arguments: str) -> list[dict[str, Any]]:
    """The objects of the extraction tool's call, or ComponentError when there are none."""
    try:
        document = orjson.loads(arguments or "{}")
    except orjson.JSONDecodeError:
        document = None
    objects = document.get("objects") if isinstance(document, Mapping) else None
    if not isinstance(objects, list) or not objects or not all(isinstance(item, Mapping) for item in objects):
        raise ComponentError("No structured output returned")
    return [dict(item) for item in objects]


def as_data(objects: Sequence[Mapping[str, Any]]) -> Data:
    """One object as itself, several under `results`, as Langflow's Structured Output shapes them."""
    return Data(dict(objects[0])) if len(objects) == 1 else Data({"results": [dict(item) for item in objects]})


def _first_json(answer: str) -> Any:
    text = _FENCE.sub("", answer.strip())
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    starts = [index for index in (text.find("{"), text.find("[")) if index >= 0]
    if not starts:
        return None
    try:
        return json.JSONDecoder().raw_decode(text, min(starts))[0]
    except json.JSONDecodeError:
        return None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _schema_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:64] or "OutputModel"
