"""Data Operations (`DataOperations`): reshapes Data by the operations chosen in `operations`.

Operations (applied in the listed order): Select Keys, Remove Keys, Rename Keys, Append or Update,
Literal Eval, Combine, Filter Values (items of the list under `filter_key` whose fields compare
with `filter_values` under `operator`), Path Selection (`selected_key`, dotted) and JQ Expression
(`query`, run with the jq library: a flow's query is jq, never Python).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

import jq

from sluice.engine.component import Component, ComponentError
from sluice.engine.components.router import OPERATORS
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, data_items, to_text

Operation = Callable[[dict[str, Any], Mapping[str, Any]], dict[str, Any]]

# Filter Values compares text as If-Else does; its operator list is a subset, one named differently.
COMPARISONS: dict[str, Callable[[str, str], bool]] = {
    **{name: OPERATORS[name] for name in ("equals", "not equals", "contains", "starts with", "ends with")},
    "not contains": OPERATORS["does not contain"],
}


def _names(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [to_text(item) for item in value if to_text(item)]
    return [to_text(value)]


def _mapping(params: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A dict field; Langflow exports some as a list of one-entry dicts."""
    value = params.get(name) or {}
    if isinstance(value, list):
        return {key: item for entry in value if isinstance(entry, Mapping) for key, item in entry.items()}
    if not isinstance(value, Mapping):
        raise ComponentError(f"{name} must be a set of key/value pairs")
    return dict(value)


def select_keys(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    keys = _names(params.get("select_keys_input"))
    missing = [key for key in keys if key not in data]
    if missing:
        raise ComponentError(f"the Data has no key {', '.join(map(repr, missing))}")
    return {key: data[key] for key in keys}


def remove_keys(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    removed = set(_names(params.get("remove_keys_input")))
    return {key: value for key, value in data.items() if key not in removed}


def rename_keys(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    names = _mapping(params, "rename_keys_input")
    return {to_text(names.get(key, key)): value for key, value in data.items()}


def append_or_update(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    return {**data, **_mapping(params, "append_update_data")}


def literal_eval(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """String values that are Python literals (`"[1, 2]"`) become those values; others stay text."""

    def evaluated(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value

    return {key: evaluated(value) for key, value in data.items()}


def filter_values(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    keys = _names(params.get("filter_key"))
    if not keys:
        raise ComponentError("Filter Values needs a filter_key naming the list to filter")
    items = data.get(keys[0])
    if not isinstance(items, list):
        raise ComponentError(f"Filter Values needs a list under {keys[0]!r}")
    operator = str(params.get("operator") or "equals")
    compare = COMPARISONS.get(operator)
    if compare is None:
        raise ComponentError(f"unknown operator {operator!r}; expected one of: {', '.join(COMPARISONS)}")
    wanted = _mapping(params, "filter_values")

    def keeps(item: Any) -> bool:
        return isinstance(item, Mapping) and all(
            field in item and compare(to_text(item[field]), to_text(value)) for field, value in wanted.items()
        )

    return {**data, keys[0]: [item for item in items if keeps(item)]}


def path_selection(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    path = to_text(params.get("selected_key")).strip().lstrip(".")
    value: Any = data
    for part in path.split(".") if path else ():
        if not isinstance(value, Mapping) or part not in value:
            raise ComponentError(f"the Data has no path {path!r}")
        value = value[part]
    return dict(value) if isinstance(value, Mapping) else {path.rsplit(".", 1)[-1]: value}


def jq_expression(data: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    query = to_text(params.get("query")).strip()
    if not query:
        raise ComponentError("JQ Expression needs a query")
    try:
        results = jq.compile(query).input_value(data).all()
    except ValueError as error:
        raise ComponentError(f"the jq expression failed: {error}") from None
    if len(results) == 1 and isinstance(results[0], dict):
        return results[0]
    return {"result": results[0] if len(results) == 1 else results}


OPERATIONS: dict[str, Operation] = {
    "Select Keys": select_keys,
    "Remove Keys": remove_keys,
    "Rename Keys": rename_keys,
    "Append or Update": append_or_update,
    "Literal Eval": literal_eval,
    "Filter Values": filter_values,
    "Path Selection": path_selection,
    "JQ Expression": jq_expression,
}


def _operation_names(value: Any) -> list[str]:
    """`operations` is a sortable list: entries are names or `{"name": ...}` objects."""
    entries = value if isinstance(value, list) else [value] if value else []
    return [to_text(entry.get("name") if isinstance(entry, Mapping) else entry) for entry in entries]


def _combine(items: list[Data]) -> dict[str, Any]:
    """Merges Data: a key several of them hold becomes the list of their values."""
    combined: dict[str, Any] = {}
    for item in items:
        for key, value in item.data.items():
            if key not in combined:
                combined[key] = value
            elif isinstance(combined[key], list):
                combined[key] = [*combined[key], value]
            else:
                combined[key] = [combined[key], value]
    return combined


class DataOperations(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        items = data_items(params.get("data"))
        names = _operation_names(params.get("operations"))
        unknown = [name for name in names if name not in OPERATIONS and name != "Combine"]
        if unknown:
            raise ComponentError(f"unknown operation {', '.join(map(repr, unknown))}; "
                                 f"expected one of: Combine, {', '.join(OPERATIONS)}")
        if "Combine" in names or len(items) != 1:
            if len(items) > 1 and "Combine" not in names:
                raise ComponentError("several Data arrived: choose Combine to merge them first")
            data = _combine(items)
        else:
            data = dict(items[0].data)
        for name in names:
            if name != "Combine":
                data = OPERATIONS[name](data, params)
        return {"data_output": Data(data)}
