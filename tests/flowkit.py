"""Builds small Langflow 1.x flow exports for tests, in the same shape Langflow writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHARED_FLOWS = Path(__file__).resolve().parents[2] / "shared" / "flows"
EXAMPLE_FLOWS = Path(__file__).resolve().parents[1] / "examples" / "flows"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def shared(name: str) -> dict[str, Any]:
    """A flow export from ../shared/flows (e.g. `langflow-tests/chat_echo_no_llm.json`)."""
    return load(SHARED_FLOWS / name)


def field(value: Any, kind: str = "str", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "value": value, "list": False, "show": True, **extra}


def node(node_id: str, node_type: str, fields: dict[str, Any] | None = None,
         outputs: tuple[str, ...] = ("message",), display_name: str | None = None) -> dict[str, Any]:
    template = {name: spec if isinstance(spec, dict) else field(spec) for name, spec in (fields or {}).items()}
    return {
        "id": node_id,
        "type": "genericNode",
        "data": {
            "id": node_id,
            "type": node_type,
            "node": {
                "display_name": display_name or node_type,
                "template": template,
                "outputs": [{"name": name, "types": ["Message"]} for name in outputs],
            },
        },
    }


def edge(source: str, output: str, target: str, target_field: str) -> dict[str, Any]:
    return {
        "source": source,
        "target": target,
        "data": {
            "sourceHandle": {"id": source, "name": output, "output_types": ["Message"]},
            "targetHandle": {"id": target, "fieldName": target_field, "inputTypes": ["Message"], "type": "str"},
        },
    }


def export(name: str, nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
           endpoint_name: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"name": name, "data": {"nodes": nodes, "edges": edges}}
    if endpoint_name:
        document["endpoint_name"] = endpoint_name
    return document


def sleep_flow(seconds: float, name: str = "Sleepy") -> dict[str, Any]:
    """ChatInput -> SluiceTestSleep(seconds) -> ChatOutput."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("Sleep-1", "SluiceTestSleep", {"seconds": field(seconds, "float"), "input_value": ""},
                 outputs=("text",)),
            node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
        ],
        [edge("ChatInput-in", "message", "Sleep-1", "input_value"),
         edge("Sleep-1", "text", "ChatOutput-out", "input_value")],
    )


def echo_flow(name: str = "Echo") -> dict[str, Any]:
    return shared("langflow-tests/chat_echo_no_llm.json") | {"name": name}


def tokens_flow(delay: float = 0.0, name: str = "Tokens") -> dict[str, Any]:
    """ChatInput -> SluiceTestTokens (one `token` event per word, `delay` apart) -> ChatOutput."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("Tokens-1", "SluiceTestTokens", {"delay": field(delay, "float"), "input_value": ""},
                 outputs=("text",)),
            node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
        ],
        [edge("ChatInput-in", "message", "Tokens-1", "input_value"),
         edge("Tokens-1", "text", "ChatOutput-out", "input_value")],
    )
