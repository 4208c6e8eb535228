"""Checks a graph when it is stored, so that a flow that cannot run is refused with a 400 at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine import llm, registry
from sluice.engine.graph import FlowFormatError, Graph, graph_document, parse_graph


def runnable_document(export: Any) -> Mapping[str, Any]:
    """The `{nodes, edges}` of a flow export that Sluice can run, or FlowFormatError saying why not."""
    document = graph_document(export)
    check_graph(parse_graph(document))
    return document


def check_graph(graph: Graph) -> None:
    """Raise FlowFormatError naming the offending nodes: broken edges, cycles, missing components."""
    if not graph.nodes:
        raise FlowFormatError("The flow has no nodes.")
    _check_edges(graph)
    _check_handles(graph)
    _check_components(graph)
    _check_refusals(graph)
    _check_cycles(graph)


def _check_edges(graph: Graph) -> None:
    broken: list[str] = []
    for edge in graph.edges:
        for end in (edge.source, edge.target):
            if end not in graph.nodes:
                broken.append(end)
        source = graph.nodes.get(edge.source)
        if source is not None and source.outputs and edge.source_output not in {o.name for o in source.outputs}:
            broken.append(edge.source)
    if broken:
        names = ", ".join(dict.fromkeys(broken))
        raise FlowFormatError(f"The flow has edges to missing nodes or outputs: {names}.",
                              tuple(dict.fromkeys(broken)))


def _check_handles(graph: Graph) -> None:
    """An edge must carry a type its field accepts (types read through their aliases: JSON is Data)."""
    for edge in graph.edges:
        if edge.is_loop_back:
            continue
        output = next((o for o in graph.nodes[edge.source].outputs if o.name == edge.source_output), None)
        field = graph.nodes[edge.target].fields.get(edge.target_field or "")
        if output and field and output.types and field.input_types and not set(output.types) & set(field.input_types):
            raise FlowFormatError(
                f"The edge {edge.source}.{edge.source_output} -> {edge.target}.{edge.target_field} carries "
                f"{'/'.join(output.types)} into a field that accepts {'/'.join(field.input_types)}.",
                (edge.target,),
            )


def _check_components(graph: Graph) -> None:
    for node in graph.nodes.values():
        reason = llm.unsupported(node.type, {name: field.value for name, field in node.fields.items()})
        if reason:
            raise FlowFormatError(f"Node {node.id} cannot run: {reason}", (node.id,))
    missing = [node for node in graph.nodes.values() if registry.find(node.type) is None]
    if missing:
        listed = ", ".join(f"{node.id} ({node.type})" for node in missing)
        raise FlowFormatError(
            f"The flow uses components Sluice does not provide: {listed}.", tuple(n.id for n in missing)
        )


def _check_refusals(graph: Graph) -> None:
    for node in graph.nodes.values():
        component = registry.find(node.type)
        reason = component.refusal(node) if component is not None else None
        if reason:
            raise FlowFormatError(reason, (node.id,))


def _check_cycles(graph: Graph) -> None:
    """Only loop-back edges (into a Loop's output) may close a cycle."""
    children: dict[str, list[str]] = {node_id: [] for node_id in graph.nodes}
    for edge in graph.edges:
        if not edge.is_loop_back:
            children[edge.source].append(edge.target)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in graph.nodes:
        if start in state:
            continue
        stack = [(start, iter(children[start]))]
        state[start] = 1
        while stack:
            node_id, remaining = stack[-1]
            child = next(remaining, None)
            if child is None:
                state[node_id] = 2
                stack.pop()
            elif state.get(child) == 1:
                cycle = [n for n, _ in stack[[n for n, _ in stack].index(child):]]
                raise FlowFormatError(
                    "The flow has a cycle without a loop component: " + " -> ".join([*cycle, child]) + ".",
                    tuple(cycle),
                )
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(children[child])))


def vector_nodes(document: Mapping[str, Any]) -> list[str]:
    """The ids of a runnable document's nodes whose components keep vectors in the database."""
    return [node.id for node in parse_graph(document).nodes.values()
            if getattr(registry.find(node.type), "needs_vector", False)]
