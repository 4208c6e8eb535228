"""Knowledge bases in PostgreSQL: their rows, and their chunks with pgvector embeddings."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import attrs
import orjson

from sluice.models import ChatMessage, KnowledgeBase, KnowledgeChunk, KnowledgeHit, StoredMessage
from sluice.store.statements import statement

# pgvector's limit for an HNSW index on `vector` (wider vectors would need halfvec).
MAX_INDEXED_DIMENSIONS = 2000


async def vector_missing(conn: Any) -> str | None:
    """None when this database has pgvector; else why not (the migration recorded it)."""
    row = await conn.fetchrow(statement("database_feature"), "vector")
    if row is None or not row["available"]:
        reason = f" ({row['detail']})" if row is not None and row["detail"] else ""
        return ("Knowledge bases need PostgreSQL's `vector` extension (pgvector), which this database does not "
                f"have{reason}: ask its operator to install pgvector and run `CREATE EXTENSION vector;`.")
    return None


_FIELDS = frozenset(field.name for field in attrs.fields(KnowledgeBase))


def _base(row: Any) -> KnowledgeBase:
    return KnowledgeBase(**{name: value for name, value in dict(row).items() if name in _FIELDS})


async def create(conn: Any, *, base_id: UUID, owner: str, name: str, embedding_provider: str, embedding_model: str,
                 column_config: Sequence[Mapping[str, Any]] | None = None) -> bool:
    """False when the owner has a knowledge base of that name already."""
    created = await conn.fetchval(statement("insert_knowledge_base"), base_id, owner, name, embedding_provider,
                                  embedding_model, None if column_config is None else list(column_config))
    return created is not None


async def list_all(conn: Any, owner: str, name: str | None = None) -> list[KnowledgeBase]:
    return [_base(row) for row in await conn.fetch(statement("list_knowledge_bases"), owner, name)]


async def describe(conn: Any, owner: str, name: str) -> KnowledgeBase | None:
    """The owner's knowledge base of that name with what its chunks hold, None for none."""
    found = await list_all(conn, owner, name)
    return found[0] if found else None


async def find(conn: Any, owner: str, name: str) -> KnowledgeBase | None:
    row = await conn.fetchrow(statement("find_knowledge_base"), owner, name)
    return None if row is None else _base(row)


async def read(conn: Any, owner: str, base_id: UUID) -> KnowledgeBase | None:
    row = await conn.fetchrow(statement("read_knowledge_base"), owner, base_id)
    return None if row is None else _base(row)


async def delete(conn: Any, owner: str, name: str) -> bool:
    return await conn.fetchval(statement("delete_knowledge_base"), owner, name) is not None


async def start_ingestion(conn: Any, base_id: UUID, job_id: UUID, chunk_size: int, chunk_overlap: int,
                          separator: str) -> None:
    await conn.execute(statement("start_knowledge_ingestion"), base_id, job_id, chunk_size, chunk_overlap, separator)


def _vector(values: Sequence[float]) -> str:
    """pgvector's text form, which is a JSON array: orjson writes it 25 times faster than repr, and
    exactly (shortest round-trip digits). It writes a NaN or infinity as null."""
    text = orjson.dumps(tuple(values))
    if b"null" in text:
        raise ValueError("the embedding model answered a vector with a value that is not a finite number")
    return text.decode()


def _width(dimensions: int) -> int:
    if not isinstance(dimensions, int) or not 0 < dimensions <= MAX_INDEXED_DIMENSIONS:
        raise ValueError(f"embeddings of {dimensions} dimensions cannot be indexed "
                         f"(at most {MAX_INDEXED_DIMENSIONS})")
    return dimensions


def _sized(name: str, width: int) -> str:
    """A statement whose `{dimensions}` is the vector width: part of the HNSW index's expression, so
    written into the text (a checked integer) rather than passed as a parameter."""
    return statement(name).replace("{dimensions}", str(_width(width)))


class DimensionMismatch(ValueError):
    pass


async def add_chunks(pool: Any, base: KnowledgeBase, chunks: Sequence[KnowledgeChunk]) -> int:
    """Store chunks in the knowledge base; their vectors must have its width (the first set it)."""
    if not chunks:
        return 0
    width = _width(len(chunks[0].embedding))
    if any(len(chunk.embedding) != width for chunk in chunks):
        raise DimensionMismatch("the embedding model answered vectors of different widths")
    async with pool.acquire() as conn, conn.transaction():
        await _insert_chunks(conn, base, chunks, width)
    return len(chunks)


async def _insert_chunks(conn: Any, base: KnowledgeBase, chunks: Sequence[KnowledgeChunk], width: int) -> None:
    fixed = await conn.fetchval(statement("set_knowledge_dimensions"), base.id, width)
    if fixed != width:
        raise DimensionMismatch(
            f"Knowledge base '{base.name}' was created with {fixed}-dimensional embeddings, but the embedding "
            f"model produces {width}.")
    await conn.execute(_sized("create_knowledge_index", width))
    await conn.execute(statement("insert_knowledge_chunks"), base.id, width,
                       [chunk.id for chunk in chunks], [chunk.content for chunk in chunks],
                       [dict(chunk.metadata) for chunk in chunks],
                       [_vector(chunk.embedding) for chunk in chunks])


async def memory_base(conn: Any, owner: str, flow_id: UUID, name: str, embedding_provider: str,
                      embedding_model: str) -> KnowledgeBase:
    """The flow's memory base of that name, made with the embedding model when it has none yet."""
    row = await conn.fetchrow(statement("memory_base"), owner, flow_id, name, embedding_provider, embedding_model,
                              uuid.uuid4())
    return _base(row)


async def create_memory_base(conn: Any, owner: str, flow_id: UUID, name: str, embedding_provider: str,
                             embedding_model: str) -> UUID | None:
    """The new memory base's id; None when the flow has one of that name."""
    return await conn.fetchval(statement("insert_memory_base"), owner, flow_id, name, embedding_provider,
                               embedding_model, uuid.uuid4())


async def list_memory_bases(conn: Any, owner: str, flow_id: UUID | None, limit: int, offset: int
                            ) -> tuple[list[KnowledgeBase], int]:
    rows = await conn.fetch(statement("list_memory_bases"), owner, flow_id, limit, offset)
    return [_base(row) for row in rows], rows[0]["total"] if rows else 0


async def read_memory_base(conn: Any, owner: str, base_id: UUID) -> KnowledgeBase | None:
    row = await conn.fetchrow(statement("read_memory_base"), owner, base_id)
    return None if row is None else _base(row)


async def delete_memory_base(conn: Any, owner: str, base_id: UUID) -> bool:
    return await conn.fetchval(statement("delete_memory_base"), owner, base_id) is not None


async def pending_memories(conn: Any, owner: str, flow_id: UUID, after: int, limit: int) -> list[StoredMessage]:
    rows = await conn.fetch(statement("pending_memories"), owner, flow_id, after, limit)
    return [StoredMessage(row["id"], ChatMessage(owner, row["session_id"], row["sender"], row["sender_name"],
                                                 row["text"], row["created_at"])) for row in rows]


async def remember(pool: Any, base: KnowledgeBase, chunks: Sequence[tuple[int, KnowledgeChunk]]) -> int:
    """Store chunks of messages (each with its message id) in a memory base and move its cursor past
    them, together; those a concurrent run stored first are left out. How many were stored."""
    if not chunks:
        return 0
    async with pool.acquire() as conn, conn.transaction():
        before = await conn.fetchval(statement("advance_memory_cursor"), base.id, max(mid for mid, _ in chunks))
        fresh = [chunk for message_id, chunk in chunks if message_id > before]
        if fresh:
            await _insert_chunks(conn, base, fresh, _width(len(fresh[0].embedding)))
    return len(fresh)


async def search(pool: Any, base: KnowledgeBase, query: Sequence[float], top_k: int,
                 metadata_filter: Mapping[str, Sequence[str]] | None = None) -> list[KnowledgeHit]:
    """The `top_k` chunks nearest to `query`; `metadata_filter` maps user metadata keys to the values
    accepted for each."""
    if base.dimensions is None:
        return []
    width = _width(base.dimensions)
    if len(query) != width:
        raise DimensionMismatch(
            f"Knowledge base '{base.name}' was created with {width}-dimensional embeddings, but the embedding "
            f"model produces {len(query)}.")
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("set local hnsw.iterative_scan = relaxed_order")
        rows = await conn.fetch(_sized("search_knowledge", width), base.id, _vector(query),
                                top_k, dict(metadata_filter or {}))
    return [KnowledgeHit(row["id"], row["content"], row["metadata"], float(row["distance"])) for row in rows]


async def existing_identifiers(conn: Any, base_id: UUID, identifiers: Sequence[str]) -> set[str]:
    """Which of the row identifiers (metadata `_id`) the knowledge base holds already."""
    rows = await conn.fetch(statement("existing_knowledge_identifiers"), base_id, list(identifiers))
    return {row["identifier"] for row in rows}


async def list_chunks(conn: Any, base_id: UUID, search_text: str, limit: int, offset: int
                      ) -> tuple[list[KnowledgeHit], int]:
    """A page of chunks (distance 0) and how many match in all."""
    rows = await conn.fetch(statement("list_knowledge_chunks"), base_id, search_text, limit, offset)
    total = rows[0]["total"] if rows else 0
    return [KnowledgeHit(row["id"], row["content"], row["metadata"], 0.0) for row in rows], total


# Chunks per batch of retention: one short transaction each, as for jobs.
PRUNE_BATCH = 1000


async def prune(conn: Any, batch: int = PRUNE_BATCH, pause: float = 0.05) -> int:
    """Delete the chunks of deleted knowledge bases batch by batch, then those knowledge bases; how
    many chunks went. Nothing to do on a database without pgvector."""
    if await vector_missing(conn) is not None:
        return 0
    total = 0
    while True:
        pruned = await conn.fetchval(statement("prune_knowledge_chunks"), batch)
        total += pruned
        if pruned < batch:
            return total
        await asyncio.sleep(pause)
