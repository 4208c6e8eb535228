"""A flow version laid out for drawing as SVG: each node a box at its exported `position` (or, when
an export has none, in columns by depth), with a handle per connected field on the left and per
output on the right, and each edge a curve between the two handles it joins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from sluice.engine.graph import Edge, Graph, graph_document

WIDTH = 320
HEADER = 96
ROW = 30
COLUMN_GAP = 120
ROW_GAP = 50
MARGIN = 30
# How far below its two nodes a loop-back edge's control points sit.
LOOP_DIP = 50


@attrs.frozen
class Handle:
    name: str
    x: float
    y: float


@attrs.frozen
class Box:
    id: str
    type: str
    name: str
    x: float
    y: float
    height: float
    inputs: tuple[Handle, ...]
    outputs: tuple[Handle, ...]

    @property
    def width(self) -> int:
        return WIDTH


@attrs.frozen
class Wire:
    source: str
    source_output: str
    target: str
    target_handle: str
    path: str
    loop_back: bool


@attrs.frozen
class Drawing:
    boxes: tuple[Box, ...]
    wires: tuple[Wire, ...]
    view_box: tuple[float, float, float, float]


def _target_handle(edge: Edge) -> str:
    return edge.target_field if edge.target_field is not None else str(edge.target_output)


def _positions(document: Any, graph: Graph) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    for raw in graph_document(document)["nodes"]:
        if not isinstance(raw, Mapping):
            continue
        data = raw.get("data") if isinstance(raw.get("data"), Mapping) else {}
        node_id = data.get("id") or raw.get("id")
        position = raw.get("position")
        if isinstance(position, Mapping) and all(isinstance(position.get(k), int | float) for k in "xy"):
            found[str(node_id)] = (float(position["x"]), float(position["y"]))
    if all(node_id in found for node_id in graph.nodes):
        return found
    return _columns(graph)


def _columns(graph: Graph) -> dict[str, tuple[float, float]]:
    """Depth by longest path from a source (loop-back edges left out), one column per depth."""
    depth = {node_id: 0 for node_id in graph.nodes}
    forward = [edge for edge in graph.edges if not edge.is_loop_back and edge.source in depth and edge.target in depth]
    for _ in range(len(depth)):
        moved = False
        for edge in forward:
            if depth[edge.target] < depth[edge.source] + 1 <= len(depth):
                depth[edge.target] = depth[edge.source] + 1
                moved = True
        if not moved:
            break
    placed: dict[str, tuple[float, float]] = {}
    filled: dict[int, float] = {}
    for node_id in graph.nodes:
        column = depth[node_id]
        y = filled.get(column, 0.0)
        placed[node_id] = (column * (WIDTH + COLUMN_GAP), y)
        filled[column] = y + _height(graph, node_id) + ROW_GAP
    return placed


def _inputs(graph: Graph, node_id: str) -> list[str]:
    names: list[str] = []
    for edge in graph.edges:
        if edge.target == node_id and edge.target_field is not None and edge.target_field not in names:
            names.append(edge.target_field)
    return names


def _outputs(graph: Graph, node_id: str) -> list[str]:
    names = [output.name for output in graph.nodes[node_id].outputs]
    for edge in graph.edges:
        if edge.source == node_id and edge.source_output not in names:
            names.append(edge.source_output)
    return names


def _height(graph: Graph, node_id: str) -> float:
    return HEADER + ROW * max(1, len(_inputs(graph, node_id)), len(_outputs(graph, node_id))) + 8


def _curve(start: Handle, end: Handle, low: float | None = None) -> str:
    """A curve from an output handle to an input handle; a loop-back edge dips to `low` (below both
    its nodes) on its way back to the Loop's output handle."""
    if low is not None:
        return (f"M{start.x:.0f},{start.y:.0f} C{start.x + 80:.0f},{low:.0f} "
                f"{end.x + 80:.0f},{low:.0f} {end.x:.0f},{end.y:.0f}")
    bend = max(50.0, abs(end.x - start.x) / 2)
    return (f"M{start.x:.0f},{start.y:.0f} C{start.x + bend:.0f},{start.y:.0f} "
            f"{end.x - bend:.0f},{end.y:.0f} {end.x:.0f},{end.y:.0f}")


def draw(document: Any, graph: Graph) -> Drawing:
    positions = _positions(document, graph)
    boxes: dict[str, Box] = {}
    for node_id, node in graph.nodes.items():
        x, y = positions[node_id]
        inputs = tuple(Handle(name, x, y + HEADER + ROW * (i + 0.5)) for i, name in enumerate(_inputs(graph, node_id)))
        outputs = tuple(Handle(name, x + WIDTH, y + HEADER + ROW * (i + 0.5))
                        for i, name in enumerate(_outputs(graph, node_id)))
        boxes[node_id] = Box(node_id, node.type, node.display_name, x, y, _height(graph, node_id), inputs, outputs)
    wires = []
    for edge in graph.edges:
        source, target = boxes.get(edge.source), boxes.get(edge.target)
        if source is None or target is None:
            continue
        start = next(h for h in source.outputs if h.name == edge.source_output)
        if edge.is_loop_back:
            # A loop-back edge feeds one of the Loop's outputs: it ends on that output's handle.
            end = next((h for h in target.outputs if h.name == edge.target_output), target.outputs[0])
            low = max(source.y + source.height, target.y + target.height) + LOOP_DIP
            path = _curve(start, end, low)
        else:
            path = _curve(start, next(h for h in target.inputs if h.name == edge.target_field))
        wires.append(Wire(edge.source, edge.source_output, edge.target, _target_handle(edge), path, edge.is_loop_back))
    return Drawing(tuple(boxes.values()), tuple(wires), _bounds(boxes.values(), any(w.loop_back for w in wires)))


def _bounds(boxes: Any, loops: bool) -> tuple[float, float, float, float]:
    boxes = list(boxes)
    if not boxes:
        return (0, 0, WIDTH, HEADER)
    left = min(box.x for box in boxes) - MARGIN
    top = min(box.y for box in boxes) - MARGIN
    right = max(box.x + WIDTH for box in boxes) + MARGIN + (80 if loops else 0)
    bottom = max(box.y + box.height for box in boxes) + MARGIN + (LOOP_DIP if loops else 0)
    return (left, top, right - left, bottom - top)
