"""Structured answers: an `output_schema` table as JSON Schema, and the model's JSON read back.

Langflow's schema rows are `{name, description, type, multiple}` with types str/int/float/bool/dict;
the model is asked for `{"objects": [...]}` (one or more matches), as Langflow's extractor does:
Structured Output forces a call of a tool named for the output model, which also works with models
that lack a JSON-schema mode; the Agent's structured response uses the model's strict JSON-schema
mode when it has no tools, else asks for the JSON in its instructions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from sluice.engine.component import ComponentError
from sluice.engine.values import Data, DataFrame

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def schema_rows(value: Any) -> list[Mapping[str, Any]]:
    """The usable rows of an `output_schema` field (a table value or a DataFrame)."""
    rows = value.rows if isinstance(value, DataFrame) else value
    if not isinstance(rows, list | tuple):
        return []
    return [row for row in rows if isinstance(row, Mapping) and isinstance(row.get("name"), str) and row["name"]]


# JSON Schema of each row type, as pydantic writes it for Langflow's output model.
_PYDANTIC = {"str": {"type": "string"}, "text": {"type": "string"}, "int": {"type": "integer"},
             "float": {"type": "number"}, "number": {"type": "number"}, "bool": {"type": "boolean"},
             "boolean": {"type": "boolean"}, "list": {"items": {}, "type": "array"},
             "dict": {"additionalProperties": True, "type": "object"}}
# Langflow's Agent names its envelope's parts so; Structured Output names them for the schema.
_AGENT_ENVELOPE = ("A list of extracted records.", "Every record that matches the schema.")


def output_model(rows: Sequence[Mapping[str, Any]], name: str = "OutputModel",
                 envelope: tuple[str, str] | None = None, strict: bool = False) -> dict[str, Any]:
    """`{"objects": [record, ...]}` with one record property per schema row, as pydantic writes the
    JSON Schema of Langflow's output model (keys in its order, the record under `$defs`). `strict`
    closes the objects, as OpenAI's strict JSON-schema mode requires."""
    properties: dict[str, Any] = {}
    for row in rows:
        kind = _PYDANTIC.get(str(row.get("type") or "str"))
        if kind is None:
            raise ComponentError(f"Invalid type: {row.get('type')}")
        if _truthy(row.get("multiple")):
            kind = {"items": kind, "type": "array"}
        field = str(row["name"])
        properties[field] = dict(sorted({"description": str(row.get("description") or ""), **kind,
                                         "title": field.replace("_", " ").title()}.items()))
    closed = {"additionalProperties": False} if strict else {}
    record = {"properties": properties, "required": list(properties), "title": "OutputModel", "type": "object",
              **closed}
    described, items = envelope or (f"A list of {name}.", f"A list of {name}.")
    key = envelope_key(rows)
    return {"$defs": {"OutputModel": record}, "description": described,
            "properties": {key: {"description": items, "items": {"$ref": "#/$defs/OutputModel"}, "minItems": 1,
                                 "title": key.replace("_", " ").title().rstrip(), "type": "array"}},
            "required": [key], "title": name, "type": "object", **closed}


def envelope_key(rows: Sequence[Mapping[str, Any]]) -> str:
    """`objects`, with `_` added while a row has that name."""
    names = {str(row["name"]) for row in rows}
    key = "objects"
    while key in names:
        key += "_"
    return key


def extraction_tool(rows: Sequence[Mapping[str, Any]], name: str = "OutputModel") -> dict[str, Any]:
    """The tool whose forced call carries Structured Output's answer, as Langflow's extractor
    (trustcall) sends it."""
    return {"type": "function",
            "function": {"name": name, "description": f"A list of {name}.", "parameters": output_model(rows, name)}}


def forced(tool: Mapping[str, Any]) -> dict[str, Any]:
    """The `tool_choice` that makes the model call `tool`."""
    return {"type": "function", "function": {"name": tool["function"]["name"]}}


def agent_response_format(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What Langflow's Agent asks for when it has no tools: the model's own strict JSON-schema mode."""
    return {"type": "json_schema", "json_schema": {
        "schema": output_model(rows, envelope=_AGENT_ENVELOPE, strict=True), "name": "OutputModel", "strict": True}}


def agent_instructions(system: str, format_instructions: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """The Agent's instructions when it has tools (no JSON-schema mode then): the schema in the prompt."""
    schema = json.dumps(output_model(rows, envelope=_AGENT_ENVELOPE), indent=2)
    parts = [system] if system else []
    if format_instructions:
        parts.append(f"Format instructions: {format_instructions}")
    parts.append("You must respond ONLY with a JSON object matching this schema. "
                 f"Do not include explanations, markdown, or any text outside the JSON.\nSchema:\n{schema}")
    return "\n\n".join(parts)


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
    """A row's `multiple`, read as Langflow reads it."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "t", "y", "yes"}
    return value is True or (isinstance(value, int) and bool(value))
