"""Parsed flows for the submit path, so a run costs one database round trip (the insert).

A flow's current version is kept per owner and reference (id or endpoint name) and dropped on the
NOTIFY that every update and delete sends; parsed versions are kept in a bounded cache (they never
change). Both are bounded, so an API process that sees many flows stays small.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
import attrs
from cachetools import LRUCache

from sluice.engine.graph import Graph
from sluice.engine.graph_cache import ParsedGraphs
from sluice.models import FlowSummary
from sluice.store import flows

CURRENT_SIZE = 2048


@attrs.frozen
class CachedFlow:
    summary: FlowSummary
    graph: Graph


class FlowCache:
    def __init__(self, pool: asyncpg.Pool, *, current_size: int = CURRENT_SIZE,
                 versions: ParsedGraphs | None = None) -> None:
        self._pool = pool
        self._current: LRUCache[tuple[str, str], CachedFlow] = LRUCache(maxsize=current_size)
        self._versions = versions or ParsedGraphs()

    async def current(self, owner: str, reference: str) -> CachedFlow | None:
        cached = self._current.get((owner, reference))
        if cached is None:
            stored = await flows.read(self._pool, owner, reference)
            if stored is None:
                return None
            graph = self._versions.parsed((stored.summary.id, stored.summary.version), stored.graph)
            cached = self._current[(owner, reference)] = CachedFlow(stored.summary, graph)
        return cached

    async def version(self, owner: str, flow_id: UUID, version: str) -> Graph | None:
        return await self._versions.load((flow_id, version),
                                         lambda: flows.read_version(self._pool, owner, flow_id, version))

    def forget(self, flow_id: str) -> None:
        for key in [key for key, cached in self._current.items() if str(cached.summary.id) == flow_id]:
            del self._current[key]

    def clear(self) -> None:
        self._current.clear()
