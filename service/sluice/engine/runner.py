"""Runs a graph: each node once its inputs have arrived, independent branches concurrently.

A node whose every incoming edge was skipped (its source did not produce that output, as a router
does for the branch it does not take) is skipped too, and so is everything behind it.

A Loop is a node with an output that allows loops (a loop-back edge comes into it). Its component
returns the items on that output; the nodes behind the output (the body) run once per item, in
order, as a small graph of their own, and what reaches the loop-back edge is collected. The
component then releases the collected values (`Component.release`, e.g. on `done`). The body's
nodes are not steps of the outer run: values from outside reach them through the Loop, which waits
for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import attrs

from sluice.engine import registry, tools
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext, moment
from sluice.engine.graph import Edge, Graph, Node
from sluice.engine.outputs import describe
from sluice.engine.pause import Checkpoint, Suspend, Suspended, keep, restore
from sluice.models import ComponentOutput

Overrides = Mapping[str, Mapping[str, Any]]


class FlowFailed(Exception):
    """A component raised: the run stops and the job is `failed`."""

    def __init__(self, component_id: str, message: str) -> None:
        super().__init__(message)
        self.component_id = component_id
        self.message = message


async def run_graph(graph: Graph, overrides: Overrides, context: RunContext,
                    checkpoint: Checkpoint | None = None) -> dict[str, ComponentOutput]:
    """Execute the graph; returns the output of each terminal node, keyed by node id. The nodes in
    `checkpoint` (of a run that paused, sluice/engine/pause.py) are not built again: their kept
    outputs are used. Raises Suspended when a node asks to wait for a person."""
    return await _GraphRun(graph, overrides, context, restore(checkpoint or {})).execute()


@attrs.frozen
class _Loop:
    output: str
    body: Graph
    back: tuple[Edge, ...]  # loop-back edges: what they carry is collected


def _loops(graph: Graph) -> dict[str, _Loop]:
    """The graph's outermost Loops (a Loop inside another's body belongs to the inner run)."""
    outputs = {node_id: out.name for node_id, node in graph.nodes.items() for out in node.outputs if out.allows_loop}
    back: dict[str, list[Edge]] = {}
    for edge in graph.edges:
        if edge.is_loop_back and edge.target in graph.nodes:
            outputs[edge.target] = edge.target_output or outputs.get(edge.target, "item")
            back.setdefault(edge.target, []).append(edge)
    if not outputs:
        return {}
    bodies = {node_id: graph.loop_body(node_id, output) for node_id, output in outputs.items()}
    nested = set().union(*bodies.values())
    return {
        node_id: _Loop(output, graph.subgraph(bodies[node_id]), tuple(back.get(node_id, ())))
        for node_id, output in outputs.items() if node_id not in nested
    }


class _GraphRun:
    def __init__(self, graph: Graph, overrides: Overrides, context: RunContext,
                 kept: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.graph = graph
        self.kept = kept or {}
        self.overrides = overrides
        self.context = context
        self.loops = _loops(graph)
        # A Loop body's node -> its Loop: edges into the body count towards the Loop starting.
        self.gate = {body_id: loop_id for loop_id, loop in self.loops.items() for body_id in loop.body.nodes}
        self.waiting = {node_id: 0 for node_id in graph.nodes if node_id not in self.gate}
        self.outgoing: dict[str, list[Edge]] = {node_id: [] for node_id in graph.nodes}
        for edge in graph.edges:
            if edge.is_loop_back or (edge.target in self.gate and (
                    edge.source in self.gate or edge.source == self.gate[edge.target])):
                continue  # inside a Loop's run, not the outer one
            self.outgoing[edge.source].append(edge)
            self.waiting[self.gate.get(edge.target, edge.target)] += 1
        self.tool_nodes = tools.tool_node_ids(graph)
        # What arrived on each field, with the position of its edge in the export: a list field (an
        # Agent's tools) gets its values in edge order, whichever source finished first.
        self.arrived: dict[str, dict[str, list[tuple[int, Any]]]] = {node_id: {} for node_id in graph.nodes}
        self.rank = {id(edge): index for index, edge in enumerate(graph.edges)}
        # Produced outputs by node; None for a skipped node.
        self.results: dict[str, Mapping[str, Any] | None] = {}
        # The last pass of each Loop's body, reported once the Loop is done.
        self.body_results: dict[str, Mapping[str, Mapping[str, Any] | None]] = {}

    async def execute(self) -> dict[str, ComponentOutput]:
        try:
            await self.run()
        except Suspend as pause:
            wired = {node_id: {edge.source_output for edge in edges} for node_id, edges in self.outgoing.items()}
            raise Suspended(pause.request, keep(self.results, wired)) from None
        return self._terminal_outputs()

    async def run(self) -> None:
        ready = [node_id for node_id, count in self.waiting.items() if count == 0]
        first = [node_id for node_id in ready if self._runs_first(node_id)]
        if len(first) < len(ready):
            ready = [node_id for node_id in ready if node_id not in first]
            for node_id in first:
                ready.extend(self._settle(node_id, await self._run_node(node_id)))
        running: dict[asyncio.Task[Mapping[str, Any]], str] = {}
        try:
            while ready or running:
                if len(ready) == 1 and not running:
                    # The common straight-line case: no task needed.
                    node_id = ready.pop()
                    ready.extend(self._settle(node_id, await self._run_node(node_id)))
                    continue
                for node_id in ready:
                    running[asyncio.ensure_future(self._run_node(node_id))] = node_id
                ready = []
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    node_id = running.pop(task)
                    ready.extend(self._settle(node_id, task.result()))
        finally:
            for task in running:
                task.cancel()

    async def _run_node(self, node_id: str) -> Mapping[str, Any]:
        if node_id in self.kept:
            return self.kept[node_id]  # built before the run paused; its events are logged already
        node = self.graph.nodes[node_id]
        component = registry.find(node.type)
        if component is None:
            raise FlowFailed(node_id, f"No component serves the type {node.type!r} of node {node_id}.")
        if node_id in self.tool_nodes:
            # Not a step: the Agent downstream calls it, with the parameters this run gave it.
            return {tools.TOOL_OUTPUT: tools.toolkit(node, await self._params(node, component), component)}
        self.context.emit("component_start", {"component_id": node_id, "type": node.type, "time": moment()})
        try:
            produced = await component.run(node, await self._params(node, component), self.context)
            if node_id in self.loops:
                produced = await self._iterate(node, component, produced)
        except (FlowFailed, Suspend):
            raise
        except ComponentError as error:
            raise self._failed(node, f"{node.display_name} ({node_id}): {error}") from error
        except (asyncio.CancelledError, *self.context.services.unavailable):
            # Sluice's own database out of reach is no fault of the flow: the job is retried elsewhere.
            # (Components turn failures of what they call out to into ComponentError.)
            raise
        except Exception as error:
            raise self._failed(
                node, f"{node.display_name} ({node_id}) failed: {type(error).__name__}: {error}"
            ) from error
        self.context.emit(
            "component_end",
            {"component_id": node_id, "type": node.type, "time": moment(),
             "outputs": {name: describe(node_id, value) for name, value in produced.items()}},
        )
        return produced

    async def _iterate(self, node: Node, component: Component, produced: Mapping[str, Any]) -> Mapping[str, Any]:
        """Run a Loop's body once per item, in order; the component releases what came back."""
        loop = self.loops[node.id]
        items = produced.get(loop.output)
        collected: list[Any] = []
        results: Mapping[str, Mapping[str, Any] | None] = {}
        for item in items if isinstance(items, list | tuple) else () if items is None else (items,):
            body = _GraphRun(loop.body, self.overrides, self.context)
            for body_id in loop.body.nodes:
                body.arrived[body_id] = {name: list(values) for name, values in self.arrived[body_id].items()}
            for rank, edge in enumerate(self.graph.edges):
                if edge.source == node.id and edge.source_output == loop.output and edge.target in loop.body.nodes:
                    body.arrived[edge.target].setdefault(edge.target_field, []).append((rank, item))
            await body.run()
            results = body.results
            for edge in loop.back:
                came_back = results.get(edge.source) or {}
                if edge.source_output in came_back:
                    collected.append(came_back[edge.source_output])
        self.body_results[node.id] = results
        return component.release(node, collected)

    async def _params(self, node: Node, component: Component) -> dict[str, Any]:
        params = {name: field.value for name, field in node.fields.items()}
        overrides = self.overrides.get(node.id, {})
        params.update(overrides)
        arrived = self.arrived[node.id]
        for name, ranked in arrived.items():
            field = node.fields.get(name)
            if field is not None and field.is_list:
                params[name] = [value for _, value in sorted(ranked, key=lambda pair: pair[0])]
            else:
                params[name] = ranked[-1][1]
        # A `load_from_db` field's exported value names a global variable; a value the run supplies
        # (an override or an edge) is used as it is.
        for field in node.fields.values():
            if field.load_from_db and field.name not in overrides and field.name not in arrived:
                name = params[field.name]
                if isinstance(name, str) and name:
                    params[field.name] = await self.context.variable(name, field.name in component.secret_fields)
        return params

    def _runs_first(self, node_id: str) -> bool:
        component = registry.find(self.graph.nodes[node_id].type)
        return component is not None and component.runs_first

    def _failed(self, node: Node, message: str) -> FlowFailed:
        # Error messages reach the caller and the event log: never with a global variable's value in them.
        return FlowFailed(node.id, self.context.redact(message))

    def _settle(self, node_id: str, produced: Mapping[str, Any] | None) -> list[str]:
        """Record a node's result and deliver it; returns the nodes that became ready."""
        self.results[node_id] = produced
        ready: list[str] = []
        for edge in self.outgoing[node_id]:
            if produced is not None and edge.source_output in produced and edge.target_field:
                self.arrived[edge.target].setdefault(edge.target_field, []).append(
                    (self.rank[id(edge)], produced[edge.source_output]))
            gate = self.gate.get(edge.target, edge.target)
            self.waiting[gate] -= 1
            if self.waiting[gate] == 0:
                ready.extend(self._start_or_skip(gate))
        if node_id in self.loops:
            # The body's nodes end with the Loop: their last pass (if any) feeds what lies behind them.
            results = self.body_results.pop(node_id, {})
            for body_id in self.loops[node_id].body.nodes:
                ready.extend(self._settle(body_id, results.get(body_id) if produced is not None else None))
        return ready

    def _start_or_skip(self, node_id: str) -> list[str]:
        if self.arrived[node_id]:
            return [node_id]
        return self._settle(node_id, None)

    def _terminal_outputs(self) -> dict[str, ComponentOutput]:
        outputs: dict[str, ComponentOutput] = {}
        for node_id in self.graph.terminal_ids():
            produced = self.results.get(node_id)
            if not produced:
                outputs[node_id] = ComponentOutput("message", node_id, "skipped", None)
                continue
            declared = [out.name for out in self.graph.nodes[node_id].outputs if out.name in produced]
            name = declared[0] if declared else next(iter(produced))
            outputs[node_id] = describe(node_id, produced[name])
        return outputs
