"""The one cattrs converter, used where values cross an edge: HTTP bodies and database rows.

Structuring is strict (a JSON `"true"` is not a boolean, `1` is not a string), because a caller's
mistake must come back as a 400 that names the field, not be guessed at.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import cattrs

from sluice.models import ExecutionResponse

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True)


def iso_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with a `Z`, as the Workflow API shows timestamps."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _strict(kind: type, name: str) -> Any:
    def structure(value: Any, _: Any) -> Any:
        # bool is an int in Python; a JSON true is not a number here.
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise TypeError(f"expected {name}")
        return value

    return structure


converter.register_structure_hook(str, _strict(str, "a string"))
converter.register_structure_hook(bool, _strict(bool, "a boolean"))
converter.register_structure_hook(int, _strict(int, "an integer"))
converter.register_structure_hook_func(lambda t: t == dict[str, Any], _strict(dict, "an object"))


def _structure_list(value: Any, kind: Any) -> list[Any]:
    # cattrs would make a list of any iterable (an object's keys, a string's characters).
    if not isinstance(value, list):
        raise TypeError("expected an array")
    [item] = typing.get_args(kind)
    return [converter.structure(element, item) for element in value]


converter.register_structure_hook_func(lambda t: typing.get_origin(t) is list, _structure_list)


def _structure_uuid(value: Any, _: Any) -> UUID:
    if not isinstance(value, str):
        raise TypeError("expected a UUID")
    try:
        return UUID(value)
    except ValueError:
        raise TypeError("expected a UUID") from None


converter.register_structure_hook(UUID, _structure_uuid)
converter.register_unstructure_hook(UUID, str)
converter.register_unstructure_hook(datetime, iso_timestamp)


def _unstructure_response(response: ExecutionResponse) -> dict[str, Any]:
    return {
        "flow_id": str(response.flow_id),
        "job_id": str(response.job_id),
        "object": "response",
        "created_at": int(response.created_at.timestamp()),
        "created_timestamp": iso_timestamp(response.created_at),
        "status": response.status.value,
        "errors": converter.unstructure(list(response.errors)),
        "inputs": response.inputs,
        "outputs": {key: converter.unstructure(value) for key, value in response.outputs.items()},
        "metadata": response.metadata,
    }


converter.register_unstructure_hook(ExecutionResponse, _unstructure_response)


class InvalidBody(ValueError):
    """A request body that does not fit its type; the message is one sentence naming the field."""


def structure_body(body: Any, cls: type[T]) -> T:
    """Build `cls` from a decoded JSON body, or raise InvalidBody naming what is wrong."""
    if not isinstance(body, Mapping):
        raise InvalidBody("The request body must be a JSON object.")
    try:
        return converter.structure(body, cls)
    except cattrs.ClassValidationError as error:
        raise InvalidBody(_first_problem(error)) from None


def _first_problem(error: cattrs.ClassValidationError) -> str:
    for exc in error.exceptions:
        if isinstance(exc, cattrs.ForbiddenExtraKeysError):
            names = ", ".join(sorted(exc.extra_fields))
            return f"Unknown field(s) in the request body: {names}."
        note = next((n for n in getattr(exc, "__notes__", []) if hasattr(n, "name")), None)
        field = getattr(note, "name", None)
        if isinstance(exc, KeyError) and field:
            return f"The field `{field}` is required."
        if field:
            return f"The field `{field}` is invalid: {exc}."
    return "The request body is invalid."

