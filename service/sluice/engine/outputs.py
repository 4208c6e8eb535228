"""How a component's result appears in the execution response's `outputs` and in events."""

from __future__ import annotations

from typing import Any

import attrs

from sluice.engine.values import Data, DataFrame, Message
from sluice.models import ComponentOutput


class Handle:
    """A value that wires components together without being data (a model client, a tool).

    Responses and events show only its `summary()`, so secrets it carries never leave the worker.
    """

    def summary(self) -> dict[str, Any]:
        raise NotImplementedError


@attrs.frozen
class TypedContent:
    """A result that states its own response type (`sql`, `file`, `image`) and content."""

    type: str
    content: Any
    metadata: dict[str, Any] = attrs.field(factory=dict)


class TypedValue:
    """A value that travels along edges as itself (a table, a message) but appears in the response
    as its TypedContent: an SQL result is a DataFrame to the next component and `sql` to the caller."""

    __slots__ = ()

    def typed_content(self) -> TypedContent:
        raise NotImplementedError


def describe(component_id: str, value: Any, status: str = "completed") -> ComponentOutput:
    if isinstance(value, TypedValue):
        value = value.typed_content()
    if isinstance(value, TypedContent):
        return ComponentOutput(value.type, component_id, status, value.content, value.metadata)
    if isinstance(value, Handle):
        return ComponentOutput("data", component_id, status, value.summary())
    if isinstance(value, Message):
        metadata: dict[str, Any] = {"sender": value.sender, "sender_name": value.sender_name,
                                    "session_id": value.session_id}
        if value.usage:
            metadata["usage"] = dict(value.usage)
        return ComponentOutput("message", component_id, status, value.text, metadata)
    if isinstance(value, str):
        return ComponentOutput("message", component_id, status, value)
    if isinstance(value, Data):
        return ComponentOutput("data", component_id, status, dict(value.data))
    if isinstance(value, DataFrame):
        return ComponentOutput("data", component_id, status, [dict(row) for row in value.rows])
    if isinstance(value, list | tuple):
        return ComponentOutput("data", component_id, status, [_plain(item) for item in value])
    return ComponentOutput("data", component_id, status, _plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, Handle):
        return value.summary()
    if isinstance(value, Message):
        return value.text
    if isinstance(value, Data):
        return dict(value.data)
    if isinstance(value, DataFrame):
        return [dict(row) for row in value.rows]
    return value
