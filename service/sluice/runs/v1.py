"""Langflow's v1 run (`POST /api/v1/run/{flow}`, the webhook): what it asks of a job, and the job's
execution response and events in Langflow's shapes (RunResponse, and the v1 stream's events).

A v1 request names components loosely: `input_value` goes to the flow's input components of its
`input_type`, `tweaks` override fields by component id or display name, and one session covers
every component with a `session_id` (the flow's id when the caller names none, as in Langflow).
It becomes an ordinary job whose inputs are `{component_id}.{parameter}` keys, like a v2 run's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import orjson

from sluice.engine.graph import Graph, Node
from sluice.engine.inputs import InvalidInputs, flat_overrides, group_overrides, session_id
from sluice.models import FlowSummary
from sluice.runs.errors import InvalidRun, RunFailed
from sluice.store.jobs import LoggedEvent

INPUT_TYPES: dict[str, frozenset[str]] = {
    "chat": frozenset({"ChatInput"}),
    "text": frozenset({"TextInput"}),
    "any": frozenset({"ChatInput", "TextInput", "Webhook"}),
}
OUTPUT_COMPONENTS = frozenset({"ChatOutput", "TextOutput", "DataOutput"})
OUTPUT_TYPES: dict[str, frozenset[str] | None] = {
    "chat": frozenset({"ChatOutput"}),
    "text": frozenset({"TextOutput"}),
    "any": OUTPUT_COMPONENTS,
    "debug": None,  # every component that produced a result
}
# Each input of an advanced run is a job: a cap on how many one request queues.
MAX_ADVANCED_INPUTS = 100
# Components whose result Langflow also announces as a chat message (`add_message`).
MESSAGE_COMPONENTS = frozenset({"ChatInput", "ChatOutput"})


@attrs.frozen
class V1Run:
    """Langflow's SimplifiedAPIRequest, plus the `stream` flag that the Python SDK sends in the body."""

    input_value: str | None = None
    input_type: str | None = "chat"
    output_type: str | None = "chat"
    output_component: str | None = ""
    tweaks: dict[str, Any] | None = None
    session_id: str | None = None
    stream: bool = False
    # The advanced run's own choices: the input components by id or display name (none: every one of
    # the input type), and the output components (None: by output_type; empty: every output).
    input_components: tuple[str, ...] = ()
    outputs: tuple[str, ...] | None = None

    def checked(self) -> V1Run:
        if (self.input_type or "chat") not in INPUT_TYPES:
            raise InvalidRun("INVALID_REQUEST", f"The input_type must be one of {', '.join(INPUT_TYPES)}.")
        if (self.output_type or "chat") not in OUTPUT_TYPES:
            raise InvalidRun("INVALID_REQUEST", f"The output_type must be one of {', '.join(OUTPUT_TYPES)}.")
        return self

    def job_inputs(self, graph: Graph, flow: FlowSummary) -> dict[str, Any]:
        """The job's inputs: tweaks checked like v2 inputs, the input value, the session."""
        tweaked = group_overrides(graph, self.tweaks or {}, kind="tweaks")
        inputs = flat_overrides(tweaked)
        if self.input_value is not None:
            for node in _input_nodes(graph, self.input_type or "chat", self.input_components):
                if "input_value" in tweaked.get(node.id, {}):
                    raise InvalidInputs(node.id, f"The request's input_value goes to {node.id}, so its tweaks "
                                                 "cannot set input_value too.")
                inputs[f"{node.id}.input_value"] = self.input_value
        session = self.session_id or str(flow.id)
        for node in graph.nodes.values():
            if "session_id" in node.fields:
                inputs.setdefault(f"{node.id}.session_id", session)
        return inputs

    def run_inputs(self) -> dict[str, Any]:
        return {} if self.input_value is None else {"input_value": self.input_value}


def webhook_inputs(payload: str) -> Callable[[Graph, FlowSummary], dict[str, Any]]:
    """A webhook's run, as Langflow makes it: an empty chat input, and the payload as the `data` of
    every Webhook component."""

    def inputs(graph: Graph, flow: FlowSummary) -> dict[str, Any]:
        hooks = {node.id: {"data": payload} for node in graph.nodes.values() if node.type == "Webhook"}
        return V1Run(input_value="", tweaks=hooks).job_inputs(graph, flow)

    return inputs


def _input_nodes(graph: Graph, input_type: str, components: tuple[str, ...]) -> list[Node]:
    kinds = INPUT_TYPES[input_type]
    return [node for node in graph.nodes.values()
            if node.type in kinds and "input_value" in node.fields
            and (not components or node.id in components or node.display_name in components)]


def _selected(node: Node, run: V1Run) -> bool:
    if run.outputs is not None:
        return node.id in run.outputs or node.display_name in run.outputs if run.outputs else \
            node.type in OUTPUT_COMPONENTS
    if run.output_component:
        return run.output_component in (node.id, node.display_name)
    kinds = OUTPUT_TYPES[run.output_type or "chat"]
    return kinds is None or node.type in kinds


def run_response(response: Mapping[str, Any], graph: Graph, run: V1Run) -> dict[str, Any]:
    """Langflow's RunResponse for a job's execution response (the sync answer, the stream's `end`);
    RunFailed when the job did not complete."""
    if response["status"] != "completed":
        errors = response.get("errors") or [{}]
        raise RunFailed(errors[0].get("code") or "RUN_FAILED",
                        errors[0].get("error") or f"The run ended {response['status']}.",
                        job_id=response["job_id"])
    results = []
    for component_id, output in response["outputs"].items():
        node = graph.nodes.get(component_id)
        if node is None or output["status"] != "completed" or not _selected(node, run):
            continue
        name = node.outputs[0].name if node.outputs else "message"
        results.append(result_data(node, {name: output}, response["flow_id"]))
    session = session_id(response["inputs"]) or run.session_id or response["flow_id"]
    return {"session_id": session, "outputs": [{"inputs": run.run_inputs(), "outputs": results}]}


def result_data(node: Node, outputs: Mapping[str, Mapping[str, Any]], flow_id: str) -> dict[str, Any]:
    """Langflow's ResultData of one component: its outputs by name (ComponentOutputs as JSON)."""
    results: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    messages: list[dict[str, Any]] = []
    artifacts: dict[str, Any] = {}
    for name, output in outputs.items():
        if output["type"] == "message":
            message = chat_message(node, output, flow_id)
            results[name] = message
            shown[name] = {"message": message["text"], "type": "text"}
            artifacts = {"message": message["text"], "sender": message["sender"],
                         "sender_name": message["sender_name"], "files": [], "type": "text"}
            messages.append({"message": message["text"], "sender": message["sender"],
                             "sender_name": message["sender_name"], "session_id": message["session_id"],
                             "stream_url": None, "component_id": node.id, "files": [], "type": "text"})
        else:
            results[name] = output["content"]
            shown[name] = {"message": output["content"], "type": "object"}
    return {
        "results": results, "artifacts": artifacts, "outputs": shown, "logs": {name: [] for name in outputs},
        "messages": messages, "timedelta": None, "duration": None,
        "component_display_name": node.display_name, "component_id": node.id, "used_frozen_result": False,
    }


def chat_message(node: Node, output: Mapping[str, Any], flow_id: str) -> dict[str, Any]:
    """A message output as Langflow's Message."""
    metadata = output.get("metadata") or {}
    content = output["content"]
    return {
        "text": content if isinstance(content, str) else "" if content is None else str(content),
        "sender": metadata.get("sender", "Machine"),
        "sender_name": metadata.get("sender_name", "AI"),
        "session_id": metadata.get("session_id", ""),
        "flow_id": flow_id, "files": [], "error": False, "edit": False, "category": "message",
        "properties": {"source": {"id": node.id, "display_name": node.display_name, "source": None}},
        "content_blocks": [],
    }


def stream_events(event: LoggedEvent, graph: Graph, run: V1Run, flow_id: str) -> list[dict[str, Any]]:
    """What a v1 stream shows of one logged event (often nothing): `add_message` and `end_vertex` for
    a finished component, `token`, and last `end` with the RunResponse, or `error`."""
    data = orjson.loads(event.data)
    if event.type == "token":
        return [{"event": "token", "data": {"chunk": data.get("chunk", ""), "id": data.get("component_id"),
                                             "timestamp": event.created_at.isoformat()}}]
    if event.type == "component_end" and data.get("component_id") in graph.nodes and "tool" not in data:
        node = graph.nodes[data["component_id"]]
        outputs = data.get("outputs") or {}
        shown = []
        if node.type in MESSAGE_COMPONENTS:
            shown += [{"event": "add_message", "data": chat_message(node, output, flow_id)}
                      for output in outputs.values() if output.get("type") == "message"]
        built = {"id": node.id, "valid": True, "data": result_data(node, outputs, flow_id)}
        return [*shown, {"event": "end_vertex", "data": {"build_data": built}}]
    if event.type == "end":
        try:
            return [{"event": "end", "data": {"result": run_response(data, graph, run)}}]
        except RunFailed as failure:
            return [{"event": "error", "data": {"error": failure.detail}}]
    return []


def frame(events: list[dict[str, Any]]) -> bytes:
    """Langflow's v1 stream framing: one JSON object per event, each followed by a blank line."""
    return b"".join(orjson.dumps(event) + b"\n\n" for event in events)


@attrs.frozen
class AdvancedInput:
    """One of an advanced run's inputs (Langflow's InputValueRequest): each is a run of its own."""

    components: list[str] | None = None
    input_value: str | None = None
    session: str | None = None
    type: str | None = "any"


@attrs.frozen
class AdvancedRun:
    """Langflow's advanced run (`/api/v1/run/advanced/{flow}`): several inputs, named outputs."""

    inputs: list[AdvancedInput] | None = None
    outputs: list[str] | None = None
    tweaks: dict[str, Any] | None = None
    stream: bool = False
    session_id: str | None = None

    def runs(self) -> list[V1Run]:
        """One V1Run per input (one without input when there is none)."""
        if len(self.inputs or ()) > MAX_ADVANCED_INPUTS:
            raise InvalidRun("INVALID_REQUEST", f"An advanced run takes at most {MAX_ADVANCED_INPUTS} inputs.")
        return [V1Run(input_value=given.input_value, input_type=given.type or "any", tweaks=self.tweaks,
                      session_id=given.session or self.session_id, input_components=tuple(given.components or ()),
                      outputs=tuple(self.outputs or ())).checked()
                for given in self.inputs or [AdvancedInput(input_value=None)]]


def combined_response(responses: list[dict[str, Any]]) -> dict[str, Any]:
    """The RunResponses of an advanced run's inputs as one: a block per input, the first session."""
    return {"session_id": responses[0]["session_id"],
            "outputs": [block for response in responses for block in response["outputs"]]}
