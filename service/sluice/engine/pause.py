"""Pausing a run for a person, and the checkpoint it continues from.

A component that needs a decision it has not got raises `Suspend` with its request. The run stops
there and raises `Suspended`, carrying the request and its checkpoint: the outputs of the nodes it
had built, encoded as JSON. A later run given that checkpoint takes those outputs as they were
instead of building the nodes again, so a model call made before the pause is not made twice.
Outputs that cannot be kept (handles such as model clients and tools) are not in the checkpoint;
their nodes are built again, which costs nothing but the wiring.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from sluice.engine.values import Data, DataFrame, Message

Checkpoint = dict[str, dict[str, Any]]


class Suspend(Exception):
    """Raised by a component: the run waits for a person's decision on `request`."""

    def __init__(self, request: Mapping[str, Any]) -> None:
        super().__init__(request.get("request_id"))
        self.request = dict(request)


class Suspended(Exception):
    """The run paused on `request`; `checkpoint` holds what it had built."""

    def __init__(self, request: Mapping[str, Any], checkpoint: Checkpoint) -> None:
        super().__init__(request.get("request_id"))
        self.request = dict(request)
        self.checkpoint = checkpoint


class Unkept(ValueError):
    """A value the checkpoint cannot hold."""


def encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$message": {**attrs.asdict(value), "files": list(value.files)}}
    if isinstance(value, Data):
        return {"$data": {"data": dict(value.data), "text_key": value.text_key}}
    if isinstance(value, DataFrame):
        return {"$dataframe": [dict(row) for row in value.rows]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, Mapping) and all(isinstance(key, str) and not key.startswith("$") for key in value):
        return {key: encode(item) for key, item in value.items()}
    raise Unkept(type(value).__name__)


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$message" in value:
        fields = value["$message"]
        return Message(**{**fields, "files": tuple(fields.get("files", ()))})
    if "$data" in value:
        return Data(**value["$data"])
    if "$dataframe" in value:
        return DataFrame(tuple(value["$dataframe"]))
    return {key: decode(item) for key, item in value.items()}


def keep(results: Mapping[str, Mapping[str, Any] | None], wired: Mapping[str, set[str]]) -> Checkpoint:
    """The built nodes' outputs that can be kept, by node id. An output that cannot be kept is left
    out when nothing is wired to it; when something is, its node is left out and built again."""
    kept: Checkpoint = {}
    for node_id, produced in results.items():
        if produced is None:
            continue
        outputs: dict[str, Any] = {}
        for name, value in produced.items():
            try:
                outputs[name] = encode(value)
            except Unkept:
                if name in wired.get(node_id, ()):
                    break
        else:
            kept[node_id] = outputs
    return kept


def restore(checkpoint: Checkpoint) -> dict[str, dict[str, Any]]:
    return {node_id: {name: decode(value) for name, value in produced.items()}
            for node_id, produced in checkpoint.items()}
