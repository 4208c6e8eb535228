"""A run's `inputs`: `{component_id}.{parameter}` keys checked against the graph and grouped by node.

Checked before the job is queued, so a typo is a 400 naming the key, not a failed job later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine import registry
from sluice.engine.graph import Field, Graph, Node

# The field types of Langflow templates that carry plain values, and the JSON values each accepts.
_ACCEPTS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "prompt": (str,),
    "code": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "dict": (dict,),
    "NestedDict": (dict,),
}


class InvalidInputs(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def group_overrides(graph: Graph, inputs: Mapping[str, Any], kind: str = "inputs") -> dict[str, dict[str, Any]]:
    """Overrides by node id and field name, or InvalidInputs for the first bad key. `kind` names
    what the caller sent them as (v2 `inputs`, v1 `tweaks`)."""
    grouped: dict[str, dict[str, Any]] = {}
    for key, value in inputs.items():
        component, dot, parameter = key.partition(".")
        node = _find_node(graph, component, key, kind)
        if dot:
            grouped.setdefault(node.id, {})[parameter] = _checked(node, parameter, value, key, kind)
        elif isinstance(value, Mapping):
            for name, field_value in value.items():
                grouped.setdefault(node.id, {})[name] = _checked(node, str(name), field_value, key, kind)
        else:
            raise InvalidInputs(
                key, f"The {kind} key {key!r} must be `component_id.parameter`, or name a component "
                "with an object of parameters as its value."
            )
    return grouped


def accepts(node: Node, parameter: str) -> bool:
    """Whether a run may set this parameter of the node."""
    return (node.fields.get(parameter) or _extra_field(node, parameter)) is not None


def flat_overrides(grouped: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Grouped overrides as `{component_id}.{parameter}` keys, the form a job stores."""
    return {f"{node_id}.{name}": value for node_id, fields in grouped.items() for name, value in fields.items()}


def session_id(inputs: Mapping[str, Any]) -> str | None:
    """The first `*.session_id` value, which names the run's conversation."""
    for key, value in inputs.items():
        if key.partition(".")[2] == "session_id" and isinstance(value, str) and value:
            return value
        if "." not in key and isinstance(value, Mapping):
            nested = value.get("session_id")
            if isinstance(nested, str) and nested:
                return nested
    return None


def _find_node(graph: Graph, name: str, key: str, kind: str) -> Node:
    node = graph.nodes.get(name)
    if node is not None:
        return node
    named = [n for n in graph.nodes.values() if n.display_name == name]
    if len(named) == 1:
        return named[0]
    valid = ", ".join(graph.nodes)
    raise InvalidInputs(key, f"The {kind} key {key!r} names no component of this flow; valid ids: {valid}.")


def _checked(node: Node, parameter: str, value: Any, key: str, kind: str) -> Any:
    field = node.fields.get(parameter) or _extra_field(node, parameter)
    if field is None:
        raise InvalidInputs(key, f"The {kind} key {key!r} names no parameter {parameter!r} of component {node.id}.")
    if not _fits(field, value):
        raise InvalidInputs(key, f"The {kind} key {key!r} has a value of the wrong type for a "
                            f"{'list of ' if field.is_list else ''}{field.type} parameter.")
    return value


def _extra_field(node: Node, parameter: str) -> Field | None:
    component = registry.find(node.type)
    return None if component is None else component.node_fields(node).get(parameter)


def _fits(field: Field, value: Any) -> bool:
    if value is None:
        return True
    accepted = _ACCEPTS.get(field.type)
    if accepted is None:
        return True  # handles and rich fields (files, tables, models) take what the component accepts
    if field.is_list and isinstance(value, list):
        return all(_is(item, accepted) for item in value)
    return _is(value, accepted)


def _is(value: Any, accepted: tuple[type, ...]) -> bool:
    return isinstance(value, accepted) and not (isinstance(value, bool) and bool not in accepted)
