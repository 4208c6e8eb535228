"""The graph of an ingestion job: one `SluiceKnowledgeIngestion` node that fills a knowledge base
from uploaded files.

Ingestion is a job like any run, so it is claimed, leased, retried, stopped and shown like one; only
its graph is Sluice's own instead of a stored flow's. Its job row names the knowledge base as its
flow and INGESTION_VERSION as its version, which the worker resolves to this graph; the files, the
knowledge base and the chunking are the job's inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sluice.engine.graph import Graph, parse_graph

INGESTION_VERSION = "sluice:knowledge-ingestion"
NODE_ID = "KnowledgeIngestion"


def _field(kind: str, *, is_list: bool = False) -> dict[str, Any]:
    return {"type": kind, "value": None, "list": is_list, "show": True}


@cache
def ingestion_graph() -> Graph:
    node = {"id": NODE_ID, "data": {"id": NODE_ID, "type": "SluiceKnowledgeIngestion", "node": {
        "display_name": "Knowledge Ingestion",
        "template": {"knowledge_base_id": _field("str"), "file_ids": _field("str", is_list=True),
                     "chunk_size": _field("int"), "chunk_overlap": _field("int"), "separator": _field("str")},
        "outputs": [{"name": "result", "types": ["Data"]}],
    }}}
    return parse_graph({"nodes": [node], "edges": []})


def ingestion_inputs(base_id: UUID, file_ids: Sequence[UUID], chunk_size: int, chunk_overlap: int,
                     separator: str) -> dict[str, Any]:
    return {NODE_ID: {"knowledge_base_id": str(base_id), "file_ids": [str(file_id) for file_id in file_ids],
                      "chunk_size": chunk_size, "chunk_overlap": chunk_overlap, "separator": separator}}
