"""Read a Langflow 1.x flow export into an immutable graph of nodes, fields and edges.

Exports come in several shapes (see the spec's format notes): edges with `data.sourceHandle` /
`data.targetHandle` objects, the same handles as `œ`-encoded strings, minimal files whose edges
carry only `data`, `source` and `target`. 0.x exports (LangChain object nodes with
`Type|field|id` string handles) are refused: they describe constructor wiring, not runnable steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import orjson

# Langflow 1.10+ renamed two types; handles and fields must treat the old and new names as equal.
TYPE_ALIASES = {"JSON": "Data", "Table": "DataFrame"}
NOTE_TYPES = {"noteNode", "note"}


class FlowFormatError(ValueError):
    """The document is not a flow Sluice can read. `node_ids` are the offending nodes, if any."""

    def __init__(self, message: str, node_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.node_ids = node_ids


@attrs.frozen
class Field:
    name: str
    value: Any
    type: str = "str"
    is_list: bool = False
    load_from_db: bool = False
    input_types: tuple[str, ...] = ()
    options: tuple[Any, ...] = ()


@attrs.frozen
class Output:
    name: str
    types: tuple[str, ...] = ()
    allows_loop: bool = False


@attrs.frozen
class Node:
    id: str
    type: str
    display_name: str
    fields: Mapping[str, Field]
    outputs: tuple[Output, ...] = ()
    # The outputs some edge carries on, so a component can skip costly work nobody reads
    # (a model call for an unconnected text output).
    linked_outputs: frozenset[str] = frozenset()
    # Raw node data for components that read more than fields (a Prompt's custom fields, tool metadata).
    extra: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    def value(self, name: str, default: Any = None) -> Any:
        field = self.fields.get(name)
        return default if field is None else field.value

    def wants(self, output: str) -> bool:
        """Whether the run reads this output: an edge carries it on, or it is a terminal node's first."""
        if self.linked_outputs:
            return output in self.linked_outputs
        return not self.outputs or self.outputs[0].name == output


@attrs.frozen
class Edge:
    source: str
    source_output: str
    target: str
    # The field the value feeds. None for a loop-back edge, which feeds a Loop's output instead.
    target_field: str | None
    target_output: str | None = None

    @property
    def is_loop_back(self) -> bool:
        return self.target_field is None


@attrs.frozen
class Graph:
    nodes: Mapping[str, Node]
    edges: tuple[Edge, ...]

    def incoming(self, node_id: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.target == node_id]

    def outgoing(self, node_id: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == node_id]

    def loop_body(self, loop_id: str, output: str) -> frozenset[str]:
        """The nodes a Loop's `output` feeds, directly or further on: they run once per item."""
        body: set[str] = set()
        frontier = [edge.target for edge in self.edges
                    if edge.source == loop_id and edge.source_output == output and not edge.is_loop_back]
        while frontier:
            node_id = frontier.pop()
            if node_id in body or node_id == loop_id:
                continue
            body.add(node_id)
            frontier.extend(edge.target for edge in self.edges if edge.source == node_id and not edge.is_loop_back)
        return frozenset(body)

    def subgraph(self, node_ids: frozenset[str]) -> Graph:
        """The given nodes and the edges between them."""
        return Graph(
            nodes={node_id: self.nodes[node_id] for node_id in self.nodes if node_id in node_ids},
            edges=tuple(edge for edge in self.edges if edge.source in node_ids and edge.target in node_ids),
        )

    def terminal_ids(self) -> list[str]:
        """Nodes with no outgoing edge: their outputs are the run's outputs."""
        sources = {edge.source for edge in self.edges}
        return [node_id for node_id in self.nodes if node_id not in sources]


def normalize_type(name: str) -> str:
    return TYPE_ALIASES.get(name, name)


def graph_document(document: Any) -> Mapping[str, Any]:
    """The `{"nodes", "edges"}` part of an export, which may be wrapped in `data`."""
    if not isinstance(document, Mapping):
        raise FlowFormatError("A flow must be a JSON object with `data.nodes` and `data.edges`.")
    inner = document.get("data", document)
    if not isinstance(inner, Mapping) or not isinstance(inner.get("nodes"), list):
        raise FlowFormatError("A flow must have a `nodes` list, at the top level or under `data`.")
    edges = inner.get("edges", [])
    if not isinstance(edges, list):
        raise FlowFormatError("A flow's `edges` must be a list.")
    return inner


def parse_graph(document: Any) -> Graph:
    inner = graph_document(document)
    raw_nodes = [node for node in inner["nodes"] if not _is_note(node)]
    if any(isinstance(node, Mapping) and _is_legacy_node(node) for node in raw_nodes):
        raise FlowFormatError(
            "This flow is in the Langflow 0.x format, which is not supported: "
            "re-export it from Langflow 1.x."
        )
    nodes: dict[str, Node] = {}
    duplicated: list[str] = []
    for raw in raw_nodes:
        node = _parse_node(raw)
        if node.id in nodes:
            duplicated.append(node.id)
        nodes[node.id] = node
    if duplicated:
        raise FlowFormatError("Node ids must be unique; repeated: " + ", ".join(duplicated) + ".",
                              tuple(duplicated))
    edges = tuple(_parse_edge(raw) for raw in inner.get("edges", []))
    linked: dict[str, set[str]] = {}
    for edge in edges:
        linked.setdefault(edge.source, set()).add(edge.source_output)
    for node_id, names in linked.items():
        if node_id in nodes:
            nodes[node_id] = attrs.evolve(nodes[node_id], linked_outputs=frozenset(names))
    return Graph(nodes=nodes, edges=edges)


def _is_note(raw: Any) -> bool:
    if not isinstance(raw, Mapping):
        return False
    data = raw.get("data")
    return raw.get("type") in NOTE_TYPES or (isinstance(data, Mapping) and data.get("type") in NOTE_TYPES)


def _is_legacy_node(raw: Mapping[str, Any]) -> bool:
    data = raw.get("data")
    node = data.get("node") if isinstance(data, Mapping) else None
    return isinstance(node, Mapping) and "outputs" not in node and "template" in node


def _parse_node(raw: Any) -> Node:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("data"), Mapping):
        raise FlowFormatError("Every node must be an object with a `data` object.")
    data = raw["data"]
    node_id = data.get("id") or raw.get("id")
    node_type = data.get("type")
    if not isinstance(node_id, str) or not node_id:
        raise FlowFormatError("Every node needs a string `id`.")
    if not isinstance(node_type, str) or not node_type:
        raise FlowFormatError(f"Node {node_id} has no component type (`data.type`).", (node_id,))
    body = data.get("node") if isinstance(data.get("node"), Mapping) else {}
    template = body.get("template") if isinstance(body.get("template"), Mapping) else {}
    fields = {
        name: _parse_field(name, spec)
        for name, spec in template.items()
        if isinstance(spec, Mapping) and name not in ("code", "_type")
    }
    outputs = tuple(
        Output(
            name=str(out.get("name", "")),
            types=tuple(normalize_type(t) for t in out.get("types") or () if isinstance(t, str)),
            allows_loop=bool(out.get("allows_loop", False)),
        )
        for out in body.get("outputs") or ()
        if isinstance(out, Mapping)
    )
    return Node(
        id=node_id,
        type=node_type,
        display_name=str(body.get("display_name") or node_type),
        fields=fields,
        outputs=outputs,
        extra=body,
    )


def _parse_field(name: str, spec: Mapping[str, Any]) -> Field:
    options = spec.get("options")
    return Field(
        name=name,
        value=spec.get("value"),
        type=str(spec.get("type") or "str"),
        is_list=bool(spec.get("list", False)),
        load_from_db=bool(spec.get("load_from_db", False)),
        input_types=tuple(normalize_type(t) for t in spec.get("input_types") or () if isinstance(t, str)),
        options=tuple(options) if isinstance(options, list) else (),
    )


def _handle(edge: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """An edge's handle object: from `data`, else decoded from its `œ`-encoded string."""
    data = edge.get("data")
    if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
        return data[key]
    encoded = edge.get(key)
    if isinstance(encoded, str) and encoded.startswith("{"):
        try:
            decoded = orjson.loads(encoded.replace("œ", '"'))
        except orjson.JSONDecodeError:
            decoded = None
        if isinstance(decoded, Mapping):
            return decoded
    raise FlowFormatError(
        f"Edge {edge.get('id') or edge.get('source', '?')} -> {edge.get('target', '?')} has no readable {key}."
    )


def _parse_edge(raw: Any) -> Edge:
    if not isinstance(raw, Mapping):
        raise FlowFormatError("Every edge must be an object.")
    source_handle = _handle(raw, "sourceHandle")
    target_handle = _handle(raw, "targetHandle")
    source = raw.get("source") or source_handle.get("id")
    target = raw.get("target") or target_handle.get("id")
    output = source_handle.get("name")
    if not all(isinstance(value, str) and value for value in (source, target, output)):
        raise FlowFormatError("Every edge needs a source, a target and a source output name.")
    field = target_handle.get("fieldName")
    if isinstance(field, str) and field:
        return Edge(source=source, source_output=output, target=target, target_field=field)
    loop_output = target_handle.get("name")
    if isinstance(loop_output, str) and loop_output:
        return Edge(source=source, source_output=output, target=target, target_field=None,
                    target_output=loop_output)
    raise FlowFormatError(f"Edge {source} -> {target} names no target field.", (target,))
