"""What changed from one version of a flow to the next: nodes added and removed, and for the nodes
in both, the fields (and name or type) whose exported values differ; edges added and removed."""

from __future__ import annotations

from typing import Any

import attrs

from sluice.engine.graph import Edge, Graph, Node


@attrs.frozen
class FieldChange:
    name: str
    before: Any
    after: Any


@attrs.frozen
class NodeChange:
    node: Node
    fields: tuple[FieldChange, ...]


@attrs.frozen
class Changes:
    added: tuple[Node, ...]
    removed: tuple[Node, ...]
    changed: tuple[NodeChange, ...]
    edges_added: tuple[Edge, ...]
    edges_removed: tuple[Edge, ...]

    @property
    def marks(self) -> dict[str, str]:
        """Node id to `added` or `changed`, for drawing the newer version."""
        return {**{n.id: "added" for n in self.added}, **{c.node.id: "changed" for c in self.changed}}

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.edges_added or self.edges_removed)


def _fields(before: Node, after: Node) -> tuple[FieldChange, ...]:
    found = []
    if before.type != after.type:
        found.append(FieldChange("(type)", before.type, after.type))
    if before.display_name != after.display_name:
        found.append(FieldChange("(name)", before.display_name, after.display_name))
    for name in sorted(set(before.fields) | set(after.fields)):
        old, new = before.fields.get(name), after.fields.get(name)
        old_value, new_value = (None if old is None else old.value), (None if new is None else new.value)
        if old_value != new_value or (old is None) != (new is None):
            found.append(FieldChange(name, old_value, new_value))
    return tuple(found)


def compare(before: Graph, after: Graph) -> Changes:
    changed = []
    for node_id, node in after.nodes.items():
        if node_id in before.nodes:
            fields = _fields(before.nodes[node_id], node)
            if fields:
                changed.append(NodeChange(node, fields))
    return Changes(
        added=tuple(node for node_id, node in after.nodes.items() if node_id not in before.nodes),
        removed=tuple(node for node_id, node in before.nodes.items() if node_id not in after.nodes),
        changed=tuple(changed),
        edges_added=tuple(edge for edge in after.edges if edge not in before.edges),
        edges_removed=tuple(edge for edge in before.edges if edge not in after.edges),
    )
