"""Builds small Langflow 1.x flow exports for tests, in the same shape Langflow writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHARED_FLOWS = Path(__file__).resolve().parents[2] / "shared" / "flows"
DEMO_FLOWS = Path(__file__).resolve().parents[1] / "service" / "sluice" / "demo"


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


def loop_back(source: str, output: str, loop: str, loop_output: str = "item") -> dict[str, Any]:
    """The edge that feeds a Loop's `item` output back (its target handle names an output, no field)."""
    return {
        "source": source,
        "target": loop,
        "data": {
            "sourceHandle": {"id": source, "name": output, "output_types": ["Data"]},
            "targetHandle": {"id": loop, "name": loop_output, "output_types": ["Data"], "dataType": "LoopComponent"},
        },
    }


def loop_node(node_id: str = "LoopComponent-L") -> dict[str, Any]:
    """A Langflow 1.10+ Loop: `item` allows the loop, `done` is a table."""
    built = node(node_id, "LoopComponent", {"data": field("", "other")}, outputs=("item", "done"))
    built["data"]["node"]["outputs"] = [
        {"name": "item", "types": ["Data", "JSON"], "allows_loop": True},
        {"name": "done", "types": ["DataFrame", "Table"], "allows_loop": False},
    ]
    return built


def loop_flow(name: str = "Loop") -> dict[str, Any]:
    """Chat text split at commas; each piece goes round the loop as `item <piece>`; the done table is joined."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("SplitText-s", "SplitText", {"data_inputs": "", "separator": ",", "chunk_size": field(1, "int"),
                                              "chunk_overlap": field(0, "int"), "text_key": "text"},
                 outputs=("dataframe",)),
            loop_node(),
            node("ParseData-p", "ParseData", {"data": "", "template": "item {text}", "sep": "\n"},
                 outputs=("text", "data_list")),
            node("MessagetoData-m", "MessagetoData", {"message": ""}, outputs=("data",)),
            node("ParserComponent-j", "ParserComponent", {"input_data": "", "mode": "Parser", "pattern": "{text}",
                                                          "sep": " | "}, outputs=("parsed_text",)),
            node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
        ],
        [
            edge("ChatInput-in", "message", "SplitText-s", "data_inputs"),
            edge("SplitText-s", "dataframe", "LoopComponent-L", "data"),
            edge("LoopComponent-L", "item", "ParseData-p", "data"),
            edge("ParseData-p", "text", "MessagetoData-m", "message"),
            loop_back("MessagetoData-m", "data", "LoopComponent-L"),
            edge("LoopComponent-L", "done", "ParserComponent-j", "input_data"),
            edge("ParserComponent-j", "parsed_text", "ChatOutput-out", "input_value"),
        ],
    )


def if_else_flow(name: str = "IfElse") -> dict[str, Any]:
    """Chat text compared by an If-Else; true goes straight out, false through CombineText to its own output."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("ConditionalRouter-r", "ConditionalRouter",
                 {"input_text": "", "match_text": "", "operator": "equals",
                  "case_sensitive": field(False, "bool"), "message": field("", "other")},
                 outputs=("true_result", "false_result")),
            node("ChatOutput-yes", "ChatOutput", {"input_value": ""}),
            node("CombineText-c", "CombineText", {"text1": "", "text2": "(no)", "delimiter": " "},
                 outputs=("combined_text",)),
            node("ChatOutput-no", "ChatOutput", {"input_value": ""}),
        ],
        [
            edge("ChatInput-in", "message", "ConditionalRouter-r", "input_text"),
            edge("ConditionalRouter-r", "true_result", "ChatOutput-yes", "input_value"),
            edge("ConditionalRouter-r", "false_result", "CombineText-c", "text1"),
            edge("CombineText-c", "combined_text", "ChatOutput-no", "input_value"),
        ],
    )
