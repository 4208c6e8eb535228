"""Tool mode: a node wired to an Agent through its `component_as_tool` output is a tool, not a step.

The runner does not run such a node when its inputs arrive; it hands the Agent the node's tools
instead, each bound to the node's parameters of this run. Calling a tool runs the node's component
with the model's arguments as parameter overrides (only the arguments the tool declares, so a model
cannot reach fields such as URLs of databases or timeouts that the flow's author did not expose).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from sluice.engine.context import moment
from sluice.engine.outputs import Handle, describe
from sluice.engine.values import Message

if TYPE_CHECKING:
    from sluice.engine.component import Component
    from sluice.engine.context import RunContext
    from sluice.engine.graph import Graph, Node

TOOL_OUTPUT = "component_as_tool"
# JSON-schema types of Langflow field types, for nodes exported without `tools_metadata`.
_SCHEMA_TYPES = {"str": "string", "prompt": "string", "int": "integer", "float": "number", "bool": "boolean",
                 "dict": "object", "NestedDict": "object", "slider": "number"}


def tool_node_ids(graph: Graph) -> frozenset[str]:
    return frozenset(edge.source for edge in graph.edges if edge.source_output == TOOL_OUTPUT)


@attrs.frozen
class Tool(Handle):
    """One function the model may call: a node's component with the node's parameters bound."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    node: Node
    component: Component
    params: Mapping[str, Any] = attrs.field(factory=dict)
    # Which of the component's produced outputs answers the call (a node may expose several tools).
    output_index: int = 0

    def spec(self) -> dict[str, Any]:
        return {"type": "function",
                "function": {"name": self.name, "description": self.description, "parameters": self.parameters}}

    def summary(self) -> dict[str, Any]:
        return {"tool": self.name, "component_id": self.node.id}

    def renamed(self, name: str) -> Tool:
        return attrs.evolve(self, name=name)

    async def call(self, arguments: Mapping[str, Any], context: RunContext) -> str:
        """Run the component; the text the model gets back. Failures become text the model can read."""
        declared = self.parameters.get("properties") or {}
        overrides = {key: value for key, value in arguments.items() if key in declared}
        context.emit("component_start", {"component_id": self.node.id, "type": self.node.type, "tool": self.name,
                                         "arguments": overrides, "time": moment()})
        try:
            produced = await self.component.run(self.node, {**self.params, **overrides}, context)
        except Exception as error:  # the model sees the failure and may try again, as Langflow's agents do
            return f"Error: {error}"
        context.emit("component_end", {
            "component_id": self.node.id, "type": self.node.type, "tool": self.name, "arguments": overrides,
            "time": moment(),
            "outputs": {name: describe(self.node.id, value) for name, value in produced.items()},
        })
        values = list(produced.values())
        if not values:
            return ""
        return tool_text(values[self.output_index] if self.output_index < len(values) else values[0])


def tool_text(value: Any) -> str:
    """What a tool's result looks like to the model: text as text, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, Message):
        return value.text
    content = describe("", value).content
    # Python's own JSON layout (`", "`, `": "`), as Langflow hands tool results to the model.
    return content if isinstance(content, str) else json.dumps(content, default=str)


def toolkit(node: Node, params: Mapping[str, Any], component: Component) -> list[Tool]:
    """The tools a tool-mode node offers: from its `tools_metadata`, else from its tool-mode fields."""
    metadata = params.get("tools_metadata")
    entries = [entry for entry in metadata if isinstance(entry, Mapping)] if isinstance(metadata, list) else []
    required, order = _required_fields(node), _field_order(node)
    if not entries:
        return [Tool(name=tool_name(node.display_name), description=str(node.extra.get("description") or ""),
                     parameters=_schema(_field_args(node), required, order), node=node, component=component,
                     params=params)]
    return [
        Tool(
            name=tool_name(str(entry.get("name") or node.display_name)),
            description=str(entry.get("description") or node.extra.get("description") or ""),
            parameters=_schema(entry.get("args") if isinstance(entry.get("args"), Mapping) else {}, required, order),
            node=node, component=component, params=params, output_index=index,
        )
        for index, entry in enumerate(entries)
        if entry.get("status", True) is not False  # a tool switched off in Langflow's tool editor
    ]


def tool_name(text: str) -> str:
    """A function name the OpenAI tools API accepts: letters, digits, `_` and `-`, at most 64."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:64] or "tool"


def unique(tools: Sequence[Tool]) -> list[Tool]:
    """Tools with distinct names: a repeated name gets a numeric suffix, in order of appearance."""
    seen: set[str] = set()
    named: list[Tool] = []
    for tool in tools:
        name, counter = tool.name, 2
        while name in seen:
            name, counter = f"{tool.name[:60]}_{counter}", counter + 1
        seen.add(name)
        named.append(tool if name == tool.name else tool.renamed(name))
    return named


def _schema(args: Mapping[str, Any], required: set[str], order: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON schema of a tool's arguments as Langflow sends it: properties in the component's field
    order, without the `title` keys of the export, and `required` only when something is."""
    rank = {name: index for index, name in enumerate(order)}
    names = sorted(args, key=lambda name: rank.get(str(name), len(rank)))
    properties = {str(name): _property(args[name]) for name in names}
    schema: dict[str, Any] = {"properties": properties}
    wanted = [name for name in properties if name in required]
    if wanted:
        schema["required"] = wanted
    schema["type"] = "object"
    return schema


def _property(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        return {"type": "string"}
    return {key: value for key, value in spec.items() if key != "title"}


def _template(node: Node) -> Mapping[str, Any]:
    template = node.extra.get("template")
    return template if isinstance(template, Mapping) else {}


def _field_order(node: Node) -> list[str]:
    order = node.extra.get("field_order")
    return [str(name) for name in order] if isinstance(order, list) else list(_template(node))


def _required_fields(node: Node) -> set[str]:
    return {name for name, spec in _template(node).items() if isinstance(spec, Mapping) and spec.get("required")}


def _field_args(node: Node) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for name, spec in _template(node).items():
        if not (isinstance(spec, Mapping) and spec.get("tool_mode")):
            continue
        kind = {"type": _SCHEMA_TYPES.get(str(spec.get("type")), "string")}
        if spec.get("list"):
            kind = {"type": "array", "items": kind}
        if spec.get("info"):
            kind["description"] = str(spec["info"])
        args[name] = kind
    return args
