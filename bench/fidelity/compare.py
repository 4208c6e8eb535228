"""What of two model requests must match (the contract: messages, tools, tool choice) and where two
request sequences first differ."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

CONTRACT = ("messages", "tools", "tool_choice")


def canonical(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request with its tools in name order: lfx offers the tools of several connected nodes in
    the order those nodes finished building, which varies from run to run (Sluice follows the edges)."""
    found = dict(request)
    if isinstance(found.get("tools"), list):
        found["tools"] = sorted(found["tools"], key=lambda tool: str(tool.get("function", {}).get("name")))
    return found


def contract(request: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a request the model reads."""
    return {key: value for key, value in canonical(request).items() if key in CONTRACT}


def shape(request: Mapping[str, Any]) -> dict[str, Any]:
    """Everything else the request says: the model, its settings, streaming."""
    return {key: value for key, value in request.items() if key not in CONTRACT}


def first_difference(ours: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]],
                     part: Any = contract) -> str:
    """'' when the requests agree in `part`, else where they first differ, briefly."""
    if len(ours) != len(theirs):
        prefix = f"{len(ours)} requests vs {len(theirs)}"
        for index, (a, b) in enumerate(zip(ours, theirs, strict=False)):
            found = _walk(part(a), part(b), f"request {index}")
            if found:
                return f"{prefix}; {found}"
        return prefix
    for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        found = _walk(part(a), part(b), f"request {index}")
        if found:
            return found
    return ""


def _walk(ours: Any, theirs: Any, where: str) -> str:
    if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            if key not in ours or key not in theirs:
                side = "Sluice" if key in ours else "lfx"
                return f"{where}.{key}: only {side} sends it ({_brief(ours.get(key, theirs.get(key)))})"
            found = _walk(ours[key], theirs[key], f"{where}.{key}")
            if found:
                return found
        return ""
    if isinstance(ours, list) and isinstance(theirs, list):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=False)):
            found = _walk(a, b, f"{where}[{index}]")
            if found:
                return found
        if len(ours) != len(theirs):
            return f"{where}: {len(ours)} items vs {len(theirs)}"
        return ""
    if ours != theirs:
        return f"{where}: {_brief(ours)} vs {_brief(theirs)}"
    return ""


def _brief(value: Any, limit: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
