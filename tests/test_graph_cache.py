"""Parsed flow versions are kept within a bound: the least recently used one is read again."""

from __future__ import annotations

import uuid

import flowkit
from sluice.engine.graph_cache import ParsedGraphs


async def test_the_cache_keeps_at_most_its_size_and_drops_the_least_recently_used():
    graphs = ParsedGraphs(size=2)
    reads: list[str] = []
    flow_id = uuid.uuid4()

    def reader(version: str):
        async def read():
            reads.append(version)
            return flowkit.echo_flow()["data"]
        return read

    for version in ("a", "b", "a", "c", "a", "b"):
        assert await graphs.load((flow_id, version), reader(version)) is not None
    # "a" stayed (used again before each eviction); "b" was dropped when "c" came, and read again.
    assert reads == ["a", "b", "c", "b"]
    assert len(graphs) == 2


async def test_a_missing_version_is_none_and_not_kept():
    graphs = ParsedGraphs(size=2)

    async def nothing():
        return None

    assert await graphs.load((uuid.uuid4(), "gone"), nothing) is None
    assert len(graphs) == 0
