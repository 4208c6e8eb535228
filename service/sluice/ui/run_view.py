"""A job's event log folded into what its page shows: each node's state in the latest attempt (waiting,
running, completed, looped, failed, skipped, stopped, not run), its outputs, streamed tokens and
runs, and the attempts and component runs the timeline draws.

A router's untaken branch leaves no events: a waiting node is skipped once every edge into it is
dead (its source was skipped, or ended without producing that output), which is the rule the
engine follows (sluice/engine/runner.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import orjson

from sluice.engine.graph import Graph
from sluice.models import Job, JobStatus
from sluice.store.jobs import LoggedEvent

STATES = ("waiting", "running", "completed", "looped", "failed", "skipped", "stopped", "not run")


@attrs.define
class ComponentRun:
    """One run of a component: a step of the graph, a pass of a loop body, or a tool an agent called."""

    component_id: str
    attempt: int
    iteration: int
    started: datetime
    ended: datetime | None = None
    tool: str | None = None
    outcome: str = "running"


@attrs.define
class Attempt:
    """A claim of the job: from the queue (`queued`) to a worker (`claimed`) until it ended or went back."""

    number: int
    queued: datetime
    claimed: datetime | None = None
    ended: datetime | None = None
    worker: str | None = None
    outcome: str = "running"


@attrs.define
class NodeState:
    state: str = "waiting"
    runs: int = 0
    outputs: dict[str, Any] = attrs.field(factory=dict)
    streamed: str = ""
    tokens: int = 0
    timings: list[ComponentRun] = attrs.field(factory=list)

    @property
    def label(self) -> str:
        return f"looped {self.runs} times" if self.state == "looped" else self.state


@attrs.define
class RunView:
    nodes: dict[str, NodeState]
    runs: list[ComponentRun]
    attempts: list[Attempt]
    status: JobStatus
    last_seq: int
    errors: list[Mapping[str, Any]] = attrs.field(factory=list)


def _time(data: Mapping[str, Any], logged: datetime) -> datetime:
    """When a component event happened: the time it carries (set as it happened), else when it was written."""
    stamp = data.get("time")
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp)
        except ValueError:
            pass
    return logged


def fold(job: Job, graph: Graph | None, events: Sequence[LoggedEvent]) -> RunView:
    nodes = {node_id: NodeState() for node_id in (graph.nodes if graph else ())}
    view = RunView(nodes=nodes, runs=[], attempts=[Attempt(0, job.created_at)], status=JobStatus.QUEUED, last_seq=0)
    open_runs: dict[str, ComponentRun] = {}
    for event in events:
        data = orjson.loads(event.data)
        view.last_seq = event.seq
        if event.type == "status":
            _status(view, data, event.created_at, open_runs)
        elif event.type == "component_start":
            _start(view, data, _time(data, event.created_at), open_runs)
        elif event.type == "component_end":
            _end(view, data, _time(data, event.created_at), open_runs)
        elif event.type == "token":
            state = view.nodes.get(str(data.get("component_id")))
            if state is not None:
                state.streamed += str(data.get("chunk", ""))
                state.tokens += 1
        elif event.type == "end":
            view.errors = list(data.get("errors") or ())
    _finish(view, graph)
    return view


def _status(view: RunView, data: Mapping[str, Any], at: datetime, open_runs: dict[str, ComponentRun]) -> None:
    status = JobStatus(data.get("status", "queued"))
    current = view.attempts[-1]
    if status is JobStatus.IN_PROGRESS:
        current.number = int(data.get("attempt") or current.number + 1)
        current.claimed, current.worker = at, data.get("worker")
        # A new attempt runs the flow again from the start.
        for state in view.nodes.values():
            state.state, state.runs, state.outputs, state.streamed, state.tokens = "waiting", 0, {}, "", 0
    elif status is JobStatus.QUEUED:
        if current.claimed is not None:
            _close_runs(view, open_runs, "stopped", at)
            if current.ended is None:
                current.ended, current.outcome = at, f"back to the queue ({data.get('reason', 'released')})"
            view.attempts.append(Attempt(current.number, at))
    else:
        _close_runs(view, open_runs, "stopped", at)
        current.ended, current.outcome = at, status.value
    view.status = status


def _start(view: RunView, data: Mapping[str, Any], at: datetime, open_runs: dict[str, ComponentRun]) -> None:
    component_id = str(data.get("component_id"))
    state = view.nodes.setdefault(component_id, NodeState())
    state.runs += 1
    state.state, state.streamed, state.tokens = "running", "", 0
    run = ComponentRun(component_id, view.attempts[-1].number, state.runs, at, tool=data.get("tool"))
    state.timings.append(run)
    view.runs.append(run)
    open_runs[component_id] = run


def _end(view: RunView, data: Mapping[str, Any], at: datetime, open_runs: dict[str, ComponentRun]) -> None:
    component_id = str(data.get("component_id"))
    state = view.nodes.setdefault(component_id, NodeState())
    state.state = "looped" if state.runs > 1 else "completed"
    state.outputs = dict(data.get("outputs") or {})
    run = open_runs.pop(component_id, None)
    if run is not None:
        run.ended, run.outcome = at, "completed"


def _close_runs(view: RunView, open_runs: dict[str, ComponentRun], outcome: str, at: datetime) -> None:
    for component_id, run in open_runs.items():
        run.ended, run.outcome = at, outcome
        view.nodes[component_id].state = outcome
    open_runs.clear()


def _finish(view: RunView, graph: Graph | None) -> None:
    failed = {str((error.get("details") or {}).get("component_id")) for error in view.errors}
    for run in view.runs:
        if run.outcome == "stopped" and run.component_id in failed and run.attempt == view.attempts[-1].number:
            run.outcome = "failed"
            view.nodes[run.component_id].state = "failed"
    if graph is not None:
        _mark_skipped(view, graph)
    if view.status.is_terminal:
        for state in view.nodes.values():
            if state.state == "waiting":
                state.state = "not run"


def _mark_skipped(view: RunView, graph: Graph) -> None:
    incoming: dict[str, list[Any]] = {}
    for edge in graph.edges:
        if not edge.is_loop_back and edge.source in view.nodes:
            incoming.setdefault(edge.target, []).append(edge)
    changed = True
    while changed:
        changed = False
        for node_id, edges in incoming.items():
            state = view.nodes.get(node_id)
            if state is None or state.state != "waiting":
                continue
            if all(_dead(view.nodes[edge.source], edge.source_output) for edge in edges):
                state.state, changed = "skipped", True


def _dead(source: NodeState, output: str) -> bool:
    """The edge will carry nothing: its source was skipped, or ended without producing this output."""
    return source.state == "skipped" or (source.state in ("completed", "looped") and output not in source.outputs)


@attrs.frozen
class NodeInput:
    """What one field of a node got in this run: from an edge, from the run's `inputs`, or as exported."""

    field: str
    origin: str
    value: Any  # a component output (as events describe it) for an edge, else the plain value
    connected: bool
    note: str = ""  # why an edge's value is not shown


def inputs_of(graph: Graph, view: RunView, job: Job, node_id: str) -> list[NodeInput]:
    node = graph.nodes[node_id]
    found: list[NodeInput] = []
    wired: set[str] = set()
    for edge in graph.edges:
        if edge.target != node_id or edge.is_loop_back or edge.target_field is None:
            continue
        wired.add(edge.target_field)
        source = view.nodes.get(edge.source)
        value = source.outputs.get(edge.source_output) if source else None
        found.append(NodeInput(edge.target_field, f"{edge.source}.{edge.source_output}", value, True,
                               "" if value is not None else _missing(graph, edge.source, edge.source_output, source)))
    prefix = f"{node_id}."
    for key, value in job.inputs.items():
        if key.startswith(prefix) and key[len(prefix):] not in wired:
            wired.add(key[len(prefix):])
            found.append(NodeInput(key[len(prefix):], "this run's inputs", value, False))
    template = node.extra.get("template") if isinstance(node.extra.get("template"), Mapping) else {}
    for name, field in node.fields.items():
        if name in wired or field.value in (None, "", [], {}) or field.load_from_db:
            continue
        secret = isinstance(template.get(name), Mapping) and template[name].get("password") is True
        found.append(NodeInput(name, "the flow", "••••••" if secret else field.value, False))
    return found


def _missing(graph: Graph, source_id: str, output: str, source: NodeState | None) -> str:
    node = graph.nodes.get(source_id)
    if node is not None and any(out.name == output and out.allows_loop for out in node.outputs):
        return "one item on each pass of the loop"
    if source is None or source.state in ("waiting", "running"):
        return "nothing yet"
    return "nothing: the source did not produce it"
