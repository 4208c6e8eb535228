"""Memory Base (`MemoryBase`): semantic retrieval over the chat messages of this flow's runs.

A memory base is a knowledge base of one flow and owner (its chunks are chat messages, each with its
session, sender and time), named by the node's `memory_base` (`memory` when empty) and made on
first use with the embedding model of SLUICE_DEFAULT_EMBEDDING_MODEL. Messages are stored with their
job's final write as always; the memory base catches up when it is searched: the messages stored
since its cursor are embedded in batches and stored with the cursor's move in one transaction. So
results are always fresh, no run pays a write per message, and a crash loses nothing (the messages
are still there for the next search). With `filter_by_session` (the default) only the current
session's messages are found. In tool mode it is the Agent's `retrieve_memory` tool.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import Any

from sluice.engine.component import Component, ComponentError
from sluice.engine.components.knowledge import embed, storage
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import DataFrame, to_text
from sluice.models import KnowledgeChunk

DEFAULT_NAME = "memory"
EMBEDDING_MODEL_VARIABLE = "SLUICE_DEFAULT_EMBEDDING_MODEL"
# Messages embedded per round of catching up.
CATCH_UP_BATCH = 256


def _truthy(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"))


class MemoryBase(Component):
    needs_vector = True

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        knowledge = storage(context)
        name = to_text(params.get("memory_base")).strip() or DEFAULT_NAME
        model = os.environ.get(EMBEDDING_MODEL_VARIABLE, "")
        if not model:
            raise ComponentError(f"Memory bases embed with the operator's model: set {EMBEDDING_MODEL_VARIABLE} "
                                 "for the workers.")
        base = await knowledge.memory_base(context.owner, context.flow_id, name, "OpenAI", model)
        base = await self._catch_up(base, context)
        query = to_text(params.get("search_query"))
        top_k = max(1, int(params.get("top_k") or 5))
        if base.dimensions is None:
            return {"retrieve_data": DataFrame(())}
        wanted = {"session_id": [context.session_id]} if _truthy(params.get("filter_by_session"), True) else {}
        (vector,) = await embed(context, base, [query])
        hits = await knowledge.search(base, vector, top_k, wanted)
        include_metadata = _truthy(params.get("include_metadata"), True)
        rows = []
        for hit in hits:
            row: dict[str, Any] = {"content": hit.content, "_score": -hit.distance}
            if include_metadata:
                row.update({key: value for key, value in hit.metadata.items() if key != "source_metadata"})
            rows.append(row)
        return {"retrieve_data": DataFrame(tuple(rows))}

    async def _catch_up(self, base: Any, context: RunContext) -> Any:
        knowledge = storage(context)
        while True:
            pending = await knowledge.pending_memories(base, CATCH_UP_BATCH)
            if not pending:
                return await knowledge.memory_base(context.owner, context.flow_id, base.name,
                                                   base.embedding_provider, base.embedding_model)
            vectors = await embed(context, base, [stored.message.text for stored in pending])
            chunks = [(stored.id, KnowledgeChunk(uuid.uuid4(), stored.message.text, {
                "session_id": stored.message.session_id, "sender": stored.message.sender,
                "sender_name": stored.message.sender_name, "timestamp": stored.message.timestamp.isoformat(),
                "message_id": stored.id, "source_metadata": {"session_id": stored.message.session_id}},
                tuple(vector))) for stored, vector in zip(pending, vectors, strict=True)]
            try:
                await knowledge.remember(base, chunks)
            except ValueError as problem:
                raise ComponentError(str(problem)) from None
            base = await knowledge.memory_base(context.owner, context.flow_id, base.name,
                                               base.embedding_provider, base.embedding_model)
            if len(pending) < CATCH_UP_BATCH:
                return base


