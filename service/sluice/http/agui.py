"""1.13's `langflow` events as AG-UI events (`stream_protocol: "agui"`), the mapping of lfx's AG-UI
translator: text messages from tokens and chat messages, tool calls from an agent's `tool_use` blocks,
steps and state from the graph's events (with `expose_graph_state`), `CUSTOM` for the rest. Events are
plain dicts in the protocol's camelCase; the tests check them against the `ag-ui-protocol` models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

# Events that describe the flow rather than the conversation: sent only with `expose_graph_state`.
GRAPH_STATE = frozenset({"vertices_sorted", "build_start", "end_vertex", "log"})


class AguiEvents:
    """1.13's `langflow` events as AG-UI events, for one run (the mapping of lfx's AG-UI translator).

    AG-UI lets one text message be open at a time; tokens of another message meanwhile are held and
    sent when the open one ends.
    """

    def __init__(self, run_id: str, thread_id: str, expose_graph_state: bool) -> None:
        self.run = {"threadId": thread_id, "runId": run_id}
        self.expose_graph_state = expose_graph_state
        self.open: str | None = None
        self.closed: set[str] = set()
        # Messages waiting for the open one to end: their text so far, and which are complete.
        self.held: dict[str, list[str]] = {}
        self.complete: set[str] = set()
        self.tool_calls: set[str] = set()

    def start(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [{"type": "RUN_STARTED", **self.run}]
        if self.expose_graph_state:
            events.append({"type": "STATE_SNAPSHOT", "snapshot": {"nodes": {}}})
        return events

    def translate(self, kind: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        if kind == "token":
            return self._token(str(data.get("id") or ""), str(data.get("chunk") or ""))
        if kind == "add_message":
            return self._message(data)
        if kind in GRAPH_STATE:
            return self._graph_state(kind, data) if self.expose_graph_state else []
        if kind == "output":
            return []  # the answer travels as text messages; 1.13 sends no AG-UI event for it
        if kind == "end":
            return [*self._drain(), {"type": "RUN_FINISHED", **self.run}]
        if kind == "error":
            return [*self._drain(), {"type": "RUN_ERROR", "message": str(data.get("error") or "The run failed."),
                                     **({"code": data["code"]} if data.get("code") else {})}]
        if kind == "cancelled":
            return [*self._drain(), {"type": "CUSTOM", "name": "langflow.run.cancelled", "value": dict(data)},
                    {"type": "RUN_FINISHED", **self.run}]
        return [{"type": "CUSTOM", "name": f"langflow.{kind}", "value": dict(data)}]

    def _token(self, message_id: str, chunk: str) -> list[dict[str, Any]]:
        if not message_id or message_id in self.closed:
            return []
        if self.open == message_id:
            return [_content(message_id, chunk)]
        if self.open is None:
            self.open = message_id
            return [_start(message_id), _content(message_id, chunk)]
        self.held.setdefault(message_id, []).append(chunk)
        return []

    def _message(self, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        if data.get("sender") == "User":
            return []
        message_id = str(data.get("id") or "")
        events: list[dict[str, Any]] = []
        for block in data.get("content_blocks") or []:
            for content in block.get("contents") or []:
                if content.get("type") == "tool_use":
                    events.extend(self._tool_call(message_id, content))
        if (data.get("properties") or {}).get("state") == "partial":
            return events
        text = str(data.get("text") or "")
        if message_id == self.open:
            events.extend(self._close())
        elif message_id in self.held or (text and message_id not in self.closed and self.open is not None):
            self.held[message_id] = [text] if text else self.held[message_id]
            self.complete.add(message_id)
        elif text and message_id not in self.closed:
            self.closed.add(message_id)
            events.extend([_start(message_id), _content(message_id, text), _end(message_id)])
        return events

    def _tool_call(self, message_id: str, content: Mapping[str, Any]) -> list[dict[str, Any]]:
        call_id = f"{message_id}:tool:id:{content.get('id')}"
        if call_id in self.tool_calls:
            return []
        self.tool_calls.add(call_id)
        events = [
            {"type": "TOOL_CALL_START", "toolCallId": call_id, "toolCallName": content.get("name") or "tool",
             "parentMessageId": message_id},
            {"type": "TOOL_CALL_ARGS", "toolCallId": call_id,
             "delta": orjson.dumps(content.get("tool_input")).decode()},
            {"type": "TOOL_CALL_END", "toolCallId": call_id},
        ]
        result = content.get("output")
        if result is not None:
            events.append({"type": "TOOL_CALL_RESULT", "messageId": message_id, "toolCallId": call_id,
                           "content": result if isinstance(result, str) else orjson.dumps(result).decode()})
        return events

    def _graph_state(self, kind: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        if kind == "vertices_sorted":
            nodes = data.get("to_run") or data.get("ids") or []
            return [{"type": "STATE_SNAPSHOT",
                     "snapshot": {"nodes": {node: {"status": "pending", "output": None} for node in nodes}}}]
        if kind == "build_start":
            node = data["id"]
            return [{"type": "STEP_STARTED", "stepName": node},
                    {"type": "STATE_DELTA", "delta": [_node_state(node, "running", None)]}]
        if kind == "end_vertex":
            build = data.get("build_data") or {}
            node = build["id"]
            status = "success" if build.get("valid") else "error"
            return [{"type": "STEP_FINISHED", "stepName": node},
                    {"type": "STATE_DELTA", "delta": [_node_state(node, status, build.get("data"))]}]
        return [{"type": "CUSTOM", "name": f"langflow.{kind}", "value": dict(data)}]

    def _close(self) -> list[dict[str, Any]]:
        """End the open message, then send the held ones: complete ones whole, the first still
        streaming one opened with its text so far."""
        if self.open is None:
            return []
        closed, self.open = self.open, None
        self.closed.add(closed)
        events = [_end(closed)]
        while self.held and self.open is None:
            message_id = next(iter(self.held))
            text = "".join(self.held.pop(message_id))
            if message_id in self.complete:
                self.closed.add(message_id)
                if text:
                    events.extend([_start(message_id), _content(message_id, text), _end(message_id)])
            else:
                self.open = message_id
                events.extend([_start(message_id), *([_content(message_id, text)] if text else [])])
        return events

    def _drain(self) -> list[dict[str, Any]]:
        """The run ended: every open and held message ends now."""
        events = self._close()
        while self.open is not None:
            events.extend(self._close())
        return events


def _start(message_id: str) -> dict[str, Any]:
    return {"type": "TEXT_MESSAGE_START", "messageId": message_id, "role": "assistant"}


def _content(message_id: str, delta: str) -> dict[str, Any]:
    return {"type": "TEXT_MESSAGE_CONTENT", "messageId": message_id, "delta": delta}


def _end(message_id: str) -> dict[str, Any]:
    return {"type": "TEXT_MESSAGE_END", "messageId": message_id}


def _node_state(node: str, status: str, output: Any) -> dict[str, Any]:
    return {"op": "add", "path": f"/nodes/{node}", "value": {"status": status, "output": output}}
