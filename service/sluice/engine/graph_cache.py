"""Parsed flow versions, kept for the runs that follow. A version never changes, so an entry never
goes stale; the bound keeps a process that serves many flows from growing without end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from uuid import UUID

from cachetools import LRUCache

from sluice.engine.graph import Graph, parse_graph

# Parsed graphs are small (a few kB each); a process rarely runs more distinct versions than this.
DEFAULT_SIZE = 512

VersionKey = tuple[UUID, str]


class ParsedGraphs:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._graphs: LRUCache[VersionKey, Graph] = LRUCache(maxsize=size)

    def __len__(self) -> int:
        return len(self._graphs)

    def parsed(self, key: VersionKey, document: Mapping[str, Any]) -> Graph:
        """The graph of `document`, which is version `key`: parsed once, then kept."""
        graph = self._graphs.get(key)
        if graph is None:
            graph = self._graphs[key] = parse_graph(document)
        return graph

    async def load(self, key: VersionKey, read: Callable[[], Awaitable[Mapping[str, Any] | None]]) -> Graph | None:
        """The graph of version `key`, read with `read` when not kept; None when `read` finds none."""
        graph = self._graphs.get(key)
        if graph is not None:
            return graph
        document = await read()
        return None if document is None else self.parsed(key, document)
