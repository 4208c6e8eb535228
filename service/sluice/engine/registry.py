"""Finds components through the `sluice.components` entry-point group, once per process."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from sluice.engine.component import Component

GROUP = "sluice.components"


@cache
def components() -> dict[str, Component]:
    """Every installed component, keyed by the node type it serves."""
    found: dict[str, Component] = {}
    for entry in entry_points(group=GROUP):
        component_class = entry.load()
        found[entry.name] = component_class()
    return found


def find(node_type: str) -> Component | None:
    return components().get(node_type)
