"""Parsed flows for the submit path, so a run costs one database round trip (the insert).

A flow's current version is cached per owner and reference (id or endpoint name) and dropped on
the NOTIFY that every update and delete sends; versions never change, so they are kept as long
as the process lives.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
import attrs

from sluice.engine.graph import Graph, parse_graph
from sluice.models import FlowSummary
from sluice.store import flows


@attrs.frozen
class CachedFlow:
    summary: FlowSummary
    graph: Graph


class FlowCache:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._current: dict[tuple[str, str], CachedFlow] = {}
        self._versions: dict[tuple[UUID, str], Graph] = {}

    async def current(self, owner: str, reference: str) -> CachedFlow | None:
        cached = self._current.get((owner, reference))
        if cached is None:
            stored = await flows.read(self._pool, owner, reference)
            if stored is None:
                return None
            graph = self._versions.get((stored.summary.id, stored.summary.version))
            if graph is None:
                graph = parse_graph(stored.graph)
                self._versions[(stored.summary.id, stored.summary.version)] = graph
            cached = self._current[(owner, reference)] = CachedFlow(stored.summary, graph)
        return cached

    async def version(self, owner: str, flow_id: UUID, version: str) -> Graph | None:
        graph = self._versions.get((flow_id, version))
        if graph is None:
            document = await flows.read_version(self._pool, owner, flow_id, version)
            if document is None:
                return None
            graph = self._versions[(flow_id, version)] = parse_graph(document)
        return graph

    def forget(self, flow_id: str) -> None:
        for key in [key for key, cached in self._current.items() if str(cached.summary.id) == flow_id]:
            del self._current[key]

    def clear(self) -> None:
        self._current.clear()
