"""The interface every component implements, built-in or installed by an operator.

A component serves one or more Langflow node types (`data.type`). A Python package makes its
components available by declaring them in the entry-point group `sluice.components`, with the node
type as the entry-point name; Sluice's own components are registered the same way in its
pyproject. A flow's embedded `code` is never executed: only installed components run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# Component authors raise it from here, beside the class they subclass.
from sluice.engine.errors import ComponentError

if TYPE_CHECKING:
    from sluice.engine.context import RunContext
    from sluice.engine.graph import Field, Node

__all__ = ["Component", "ComponentError"]


class Component:
    """Base class of components. Instances are shared by every run: keep no per-run state on them."""

    # Runs before the other nodes a run starts with, as Langflow runs its chat inputs first (so a
    # Memory node beside a Chat Input already sees the message the Chat Input stores).
    runs_first: bool = False
    # Parameters the component accepts beyond the fields a Langflow export carries, so that a run's
    # `inputs` may set them (e.g. an SQL query's bind parameters).
    extra_fields: Mapping[str, Field] = {}
    # Fields that hold a credential the component only sends to the service it is for (the fields
    # Langflow marks `password`). Only these may take a variable from the worker's environment; an
    # export's own `password` flag is not trusted, since whoever uploads the flow writes it.
    secret_fields: frozenset[str] = frozenset()
    # Components that keep vectors in Sluice's database (pgvector): a flow with one is refused at upload
    # when the database has no `vector` extension.
    needs_vector: bool = False

    def node_fields(self, node: Node) -> Mapping[str, Field]:
        """Parameters a run's `inputs` may set beyond the exported fields, for this node (by default
        `extra_fields`; a Prompt adds one per template variable)."""
        return self.extra_fields

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        """Do the node's work and return its produced outputs, keyed by output name.

        `params` holds every field of the node: the exported value, replaced by a run's `inputs`
        override, replaced by what connected edges delivered. An output left out of the result is
        not produced, and the branch behind it does not run (that is how routers choose).
        """
        raise NotImplementedError

    def refusal(self, node: Node) -> str | None:
        """Why this node cannot run as exported (an option Sluice does not provide), or None: the flow
        is refused at upload with it."""
        return None

    def release(self, node: Node, collected: list[Any]) -> Mapping[str, Any]:
        """A Loop's outputs once every item has gone round its body; `collected` is what came back, in order.

        Only components serving a node with a loop output (`allows_loop`) are asked.
        """
        raise NotImplementedError
