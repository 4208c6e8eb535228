"""Sluice's own storage for the engine's components: the protocols of sluice/engine/services.py
over PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from uuid import UUID

import asyncpg
import attrs

from sluice import db
from sluice.config import Settings
from sluice.engine.services import Services
from sluice.models import KnowledgeBase, KnowledgeChunk, KnowledgeHit, StoredMessage
from sluice.store import files, knowledge, variables

# Stored files are read whole to be parsed; SLUICE_FILE_MAX_BYTES bounds what can be stored.
_WHOLE = 2**31 - 1


async def read_upload(pool: asyncpg.Pool, owner: str, file_id: UUID) -> tuple[str, bytes] | None:
    stored = await files.read(pool, file_id, owner, _WHOLE)
    return None if stored is None else (stored.name, stored.head)


@attrs.frozen
class DatabaseKnowledge:
    pool: asyncpg.Pool

    async def find(self, owner: str, name: str) -> KnowledgeBase | None:
        return await knowledge.find(self.pool, owner, name)

    async def read(self, owner: str, base_id: UUID) -> KnowledgeBase | None:
        return await knowledge.read(self.pool, owner, base_id)

    async def add_chunks(self, base: KnowledgeBase, chunks: Sequence[KnowledgeChunk]) -> int:
        return await knowledge.add_chunks(self.pool, base, chunks)

    async def search(self, base: KnowledgeBase, query: Sequence[float], top_k: int,
                     metadata_filter: Mapping[str, Sequence[str]] | None = None) -> list[KnowledgeHit]:
        return await knowledge.search(self.pool, base, query, top_k, metadata_filter)

    async def existing_identifiers(self, base: KnowledgeBase, identifiers: Sequence[str]) -> set[str]:
        return await knowledge.existing_identifiers(self.pool, base.id, identifiers)

    async def memory_base(self, owner: str, flow_id: UUID, name: str, embedding_provider: str,
                          embedding_model: str) -> KnowledgeBase:
        return await knowledge.memory_base(self.pool, owner, flow_id, name, embedding_provider, embedding_model)

    async def pending_memories(self, base: KnowledgeBase, limit: int) -> list[StoredMessage]:
        assert base.flow_id is not None
        return await knowledge.pending_memories(self.pool, base.owner, base.flow_id, base.memory_cursor, limit)

    async def remember(self, base: KnowledgeBase, chunks: Sequence[tuple[int, KnowledgeChunk]]) -> int:
        return await knowledge.remember(self.pool, base, chunks)


def worker_services(settings: Settings, pool: asyncpg.Pool, concurrency: int) -> Services:
    """What every job of this worker shares: settings, HTTP clients (sized for `concurrency` runs at
    once), and files, variables and knowledge bases in `pool`."""
    services = Services(settings, save_file=partial(files.insert, pool), read_upload=partial(read_upload, pool),
                        knowledge=DatabaseKnowledge(pool), unavailable=db.UNAVAILABLE, runs_at_once=concurrency)
    services.read_variable = partial(variables.read, pool, services.cipher)
    return services
