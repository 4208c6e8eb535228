"""A job's durable event log in Langflow 1.13's stream protocols: `langflow` and `agui`.

Sluice logs `status`, `component_start`, `component_end`, `token` and `end` events (and what components
emit). 1.13 streams its build loop's events instead: `vertices_sorted`, `build_start`, `end_vertex`,
`output`, `add_message`, `token`, then `end`, `error` or `cancelled`. `LangflowEvents` maps one log onto
the other; http/agui.py maps those onto AG-UI events.

Each frame is `id: <seq>` and `data: <json>`. One logged event may become several frames: only the
last carries the id, so a client that reconnects with `Last-Event-ID` loses nothing of a half-sent
group. Both mappings keep state (which message is open), so a resumed stream replays the log from
its start through the mapping and sends only what comes after the client's id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol
from uuid import UUID

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from sluice.engine.graph import Graph
from sluice.http.agui import GRAPH_STATE, AguiEvents
from sluice.http.streams import HEADERS
from sluice.runs.results import langflow_fields
from sluice.store.jobs import LoggedEvent

KEEPALIVE = b": keepalive\n\n"
# The statuses in which a run ended without its answer.
FAILED = ("failed", "error", "timed_out")
CHAT_TYPES = frozenset({"ChatInput", "ChatOutput"})

LangflowEvent = tuple[str, dict[str, Any]]


class LangflowEvents:
    """Sluice's event log as 1.13's `langflow` events, for one job; fed its events in order."""

    def __init__(self, job_id: UUID, graph: Graph | None) -> None:
        self.job_id = str(job_id)
        self.graph = graph
        self.started = False
        # The message a model's tokens are streaming into, until a chat message takes its id.
        self.streaming: str | None = None
        self.tool_calls = 0

    def translate(self, event_type: str, data: Mapping[str, Any]) -> list[LangflowEvent]:
        if event_type == "status":
            return self._status(data)
        if event_type == "component_start":
            return [] if "tool" in data else [("build_start", {"id": data["component_id"]})]
        if event_type == "component_end":
            return self._tool_result(data) if "tool" in data else self._component_end(data)
        if event_type == "token":
            self.streaming = self.streaming or f"{self.job_id}-{data['component_id']}"
            return [("token", {"id": self.streaming, "chunk": data.get("chunk", "")})]
        if event_type == "end":
            return self._end(data)
        return [(event_type, dict(data))]

    def _status(self, data: Mapping[str, Any]) -> list[LangflowEvent]:
        if data.get("status") != "in_progress" or self.started or self.graph is None:
            return []
        self.started = True
        nodes = list(self.graph.nodes)
        first = [node_id for node_id in nodes if not self.graph.incoming(node_id)]
        return [("vertices_sorted", {"ids": first, "to_run": nodes})]

    def _component_end(self, data: Mapping[str, Any]) -> list[LangflowEvent]:
        component_id = data["component_id"]
        outputs = data.get("outputs") or {}
        events: list[LangflowEvent] = [("end_vertex", {"build_data": {
            "id": component_id, "valid": True, "data": {"outputs": outputs}, "inactivated_vertices": []}})]
        if data.get("type") in CHAT_TYPES:
            events.extend(("add_message", self._message(component_id, output))
                          for output in outputs.values() if output.get("type") == "message")
        return events

    def _message(self, component_id: str, output: Mapping[str, Any]) -> dict[str, Any]:
        metadata = output.get("metadata") or {}
        sender = metadata.get("sender") or "Machine"
        message_id = f"{self.job_id}-{component_id}"
        if sender != "User" and self.streaming is not None:
            # The answer the tokens streamed: 1.13 streams tokens under the chat message's own id.
            message_id, self.streaming = self.streaming, None
        return {"id": message_id, "session_id": metadata.get("session_id"),
                "sender": sender, "sender_name": metadata.get("sender_name") or sender,
                "text": output.get("content") if isinstance(output.get("content"), str) else "",
                "content_blocks": [], "properties": {"state": "complete", "source": {"id": component_id}}}

    def _tool_result(self, data: Mapping[str, Any]) -> list[LangflowEvent]:
        """An agent's tool call, as 1.13 shows it: a `tool_use` block of the agent's steps."""
        self.tool_calls += 1
        outputs = list((data.get("outputs") or {}).values())
        tool_use = {"type": "tool_use", "id": str(self.tool_calls), "name": data["tool"],
                    "tool_input": data.get("arguments") or {},
                    "output": outputs[0].get("content") if outputs else None}
        message = {"id": f"{self.job_id}-tools", "sender": "Machine", "sender_name": "AI", "text": "",
                   "content_blocks": [{"title": "Agent Steps", "contents": [tool_use]}],
                   "properties": {"state": "partial", "source": {"id": data["component_id"]}}}
        return [("add_message", message)]

    def _end(self, response: Mapping[str, Any]) -> list[LangflowEvent]:
        status = response.get("status")
        errors = response.get("errors") or []
        if status == "cancelled":
            return [("cancelled", {"reason": errors[0]["error"] if errors else "stopped"})]
        if status in FAILED:
            error = errors[0] if errors else {"error": f"The job ended {status}.", "code": status}
            return [("error", {"error": error.get("error"), "text": error.get("error"), "code": error.get("code")})]
        answered = langflow_fields(response, self.graph)
        events: list[LangflowEvent] = [
            ("output", {"component_id": component_id, **output})
            for component_id, output in answered["outputs"].items()
        ]
        events.append(("end", {"job_id": self.job_id, "status": status}))
        return events


class Framing(Protocol):
    def start(self) -> list[bytes]: ...

    def frames(self, event: LoggedEvent) -> list[bytes]: ...


def _data(payload: Any) -> bytes:
    return b"data: " + orjson.dumps(payload) + b"\n\n"


class LangflowProtocol:
    """`langflow` framing: `data: {"event": <type>, "data": {...}}`."""

    def __init__(self, events: LangflowEvents, expose_graph_state: bool) -> None:
        self.events = events
        self.expose_graph_state = expose_graph_state

    def start(self) -> list[bytes]:
        return []

    def frames(self, event: LoggedEvent) -> list[bytes]:
        translated = self.events.translate(event.type, orjson.loads(event.data))
        return [_data({"event": kind, "data": data}) for kind, data in translated
                if self.expose_graph_state or kind not in GRAPH_STATE]


class AguiProtocol:
    """`agui` framing: one AG-UI event per frame (camelCase fields, as the protocol's models dump)."""

    def __init__(self, events: LangflowEvents, run_id: str, thread_id: str, expose_graph_state: bool) -> None:
        self.events = events
        self.agui = AguiEvents(run_id, thread_id, expose_graph_state)

    def start(self) -> list[bytes]:
        return [_data(event) for event in self.agui.start()]

    def frames(self, event: LoggedEvent) -> list[bytes]:
        return [_data(out) for kind, data in self.events.translate(event.type, orjson.loads(event.data))
                for out in self.agui.translate(kind, data)]


def protocol(job_id: UUID, graph: Graph | None, stream_protocol: str, expose_graph_state: bool | None,
             thread_id: str) -> Framing:
    """The framing of a job's stream; `expose_graph_state` None takes 1.13's default (on for
    `langflow`, off for `agui`)."""
    events = LangflowEvents(job_id, graph)
    if stream_protocol == "agui":
        return AguiProtocol(events, str(job_id), thread_id, bool(expose_graph_state))
    return LangflowProtocol(events, expose_graph_state is not False)


def stream(request: Request, job_id: UUID, framing: Framing, after: int) -> Response:
    """The job's log from its start through `framing`, sending what follows event `after`."""
    services = request.app.state.sluice
    body = _frames(services.feeds.tail(job_id, 0, services.settings.stream_keepalive), framing, after)
    return StreamingResponse(body, media_type="text/event-stream", headers=HEADERS)


async def _frames(batches: AsyncIterator[list[LoggedEvent] | None], framing: Framing,
                  after: int) -> AsyncIterator[bytes]:
    if after == 0 and (opening := framing.start()):
        yield b"".join(opening)
    async for batch in batches:
        if batch is None:
            yield KEEPALIVE
            continue
        out = []
        for event in batch:
            frames = framing.frames(event)
            if event.seq > after and frames:
                frames[-1] = f"id: {event.seq}\n".encode() + frames[-1]
                out.extend(frames)
        if out:
            yield b"".join(out)
