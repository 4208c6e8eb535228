"""Knowledge bases in flows: Langflow's Knowledge node (`Knowledge`: Retrieve and Ingest) and filling
one from uploaded files (`SluiceKnowledgeIngestion`, the one node of an ingestion job's graph,
sluice/engine/ingestion.py).

The knowledge base, the files and the chunks are reached through the worker's storage protocols
(sluice/engine/services.py), always as the job's owner: another owner's knowledge base or file is not
found. Embeddings come from the operator's OpenAI-compatible endpoint (`OPENAI_BASE_URL` and
`OPENAI_API_KEY`), with the model the knowledge base was created with.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from sluice.engine import llm
from sluice.engine.chunking import knowledge_chunks
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.parsing import ParseError, read_text
from sluice.engine.values import Data, DataFrame, data_items, to_text
from sluice.models import KnowledgeBase, KnowledgeChunk

# Texts per request to the embedding endpoint (OpenAI takes up to 2048 inputs).
EMBED_BATCH = 256


def storage(context: RunContext) -> Any:
    if context.services.knowledge is None:
        raise ComponentError("knowledge bases are kept in Sluice's database: run this flow on a worker.")
    return context.services.knowledge


async def embed(context: RunContext, base: KnowledgeBase, texts: Sequence[str]) -> list[list[float]]:
    """One vector per text from the base's embedding model, always at the operator's endpoint."""
    model = llm.embedding_model_from_params({"model_name": base.embedding_model}, context.settings)
    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBED_BATCH):
        embeddings = await llm.embed(llm.client(context, model), model, texts[start:start + EMBED_BATCH])
        vectors.extend(list(vector) for vector in embeddings.vectors)
    return vectors


async def store_texts(context: RunContext, base: KnowledgeBase, texts: Sequence[str],
                      metadata: Sequence[Mapping[str, Any]], ids: Sequence[uuid.UUID] | None = None) -> int:
    """Embed `texts` and store them as chunks of `base`, each with its metadata (and id, when given)."""
    vectors = await embed(context, base, texts)
    chunk_ids = ids or [uuid.uuid4() for _ in texts]
    chunks = [KnowledgeChunk(chunk_id, text, dict(meta), tuple(vector))
              for chunk_id, text, meta, vector in zip(chunk_ids, texts, metadata, vectors, strict=True)]
    try:
        return await storage(context).add_chunks(base, chunks)
    except ValueError as problem:  # a width the knowledge base's index does not take
        raise ComponentError(str(problem)) from None


def _int(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name)
    try:
        return default if value in (None, "") else int(value)
    except (TypeError, ValueError):
        raise ComponentError(f"{name} must be a whole number, not {value!r}") from None


class KnowledgeIngestion(Component):
    needs_vector = True

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        knowledge = storage(context)
        try:
            base_id = uuid.UUID(str(params.get("knowledge_base_id")))
        except ValueError:
            raise ComponentError("knowledge_base_id must be a knowledge base's id") from None
        base = await knowledge.read(context.owner, base_id)
        if base is None:
            raise ComponentError(f"Knowledge base {base_id} was not found (it may have been deleted).")
        size, overlap = _int(params, "chunk_size", 1000), _int(params, "chunk_overlap", 200)
        separator = str(params.get("separator") or "")
        if context.services.read_upload is None:
            raise ComponentError("uploaded files are kept in Sluice's database: run this flow on a worker.")
        ingested = []
        for text_id in params.get("file_ids") or ():
            file_id = uuid.UUID(str(text_id))
            found = await context.services.read_upload(context.owner, file_id)
            if found is None:
                raise ComponentError(f"File {file_id} was not found.")
            name, content = found
            try:
                chunks = knowledge_chunks(read_text(name, content), size, overlap, separator)
            except (ParseError, ValueError) as problem:
                raise ComponentError(str(problem)) from None
            metadata = [{"file_name": name, "source": name, "file_id": str(file_id), "chunk_index": index,
                         "total_chunks": len(chunks), "job_id": str(context.job_id)}
                        for index in range(len(chunks))]
            # Named by job, file and position: a retried job stores each chunk once.
            ids = [uuid.uuid5(context.job_id, f"{file_id}/{index}") for index in range(len(chunks))]
            stored = await store_texts(context, base, chunks, metadata, ids)
            ingested.append({"file_name": name, "file_id": str(file_id), "chunks": stored})
        summary = {"knowledge_base": base.name, "files": ingested,
                   "chunks": sum(item["chunks"] for item in ingested)}
        return {"result": Data(summary)}


def _metadata_filter(raw: Any) -> dict[str, list[str]]:
    """Langflow's `metadata_filter`: a JSON object of key to value or values; anything else (empty, not
    JSON, not an object) is no filter, as in Langflow."""
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw) if raw.strip() else None
        except orjson.JSONDecodeError:
            return {}
    if not isinstance(raw, Mapping):
        return {}
    return {str(key): [str(item) for item in value] if isinstance(value, list) else [str(value)]
            for key, value in raw.items()}


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"))


class Knowledge(Component):
    """Langflow 1.13's Knowledge node: `Retrieve` searches a knowledge base, `Ingest` stores a table's
    rows (or a message) in it. Both outputs answer by the mode."""

    # The node's `api_key` is not used: embeddings go only to the operator's endpoint, with its key.
    needs_vector = True

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        name = to_text(params.get("knowledge_base")).strip()
        if not name:
            raise ComponentError("Choose a knowledge base: the node's `knowledge_base` is empty.")
        base = await storage(context).find(context.owner, name)
        if base is None:
            raise ComponentError(f"Knowledge base '{name}' was not found.")
        mode = to_text(params.get("mode") or "Ingest")
        result = await (self._retrieve if "retrieve" in mode.lower() else self._ingest)(base, params, context)
        return {"retrieve_data": result, "dataframe_output": result}

    async def _retrieve(self, base: KnowledgeBase, params: Mapping[str, Any], context: RunContext) -> DataFrame:
        query = to_text(params.get("search_query"))
        top_k = max(1, _int(params, "top_k", 5))
        if base.dimensions is None:
            return DataFrame(())  # nothing ingested yet
        vectors = await embed(context, base, [query])
        wanted = _metadata_filter(params.get("metadata_filter"))
        try:
            hits = await storage(context).search(base, vectors[0], top_k, wanted)
        except ValueError as problem:
            raise ComponentError(str(problem)) from None
        include_metadata = params.get("include_metadata") is None or _truthy(params.get("include_metadata"))
        rows = []
        for hit in hits:
            row: dict[str, Any] = {"content": hit.content}
            if query:
                # Langflow's public score for a distance backend: higher is nearer.
                row["_score"] = -hit.distance
            if include_metadata:
                row.update(hit.metadata)
            rows.append(row)
        return DataFrame(tuple(rows))

    async def _ingest(self, base: KnowledgeBase, params: Mapping[str, Any], context: RunContext) -> Data:
        config = [item for item in params.get("column_config") or () if isinstance(item, Mapping)]
        content_columns = [str(item.get("column_name")) for item in config if _truthy(item.get("vectorize"))]
        identifier_columns = [str(item.get("column_name")) for item in config if _truthy(item.get("identifier"))]
        if not content_columns:
            raise ComponentError("The column configuration vectorizes no column: mark at least one `vectorize`.")
        rows = [item.data for item in data_items(params.get("input_df"))]
        extra = _metadata_filter(params.get("metadata_json"))
        texts, metadata = [], []
        for row in rows:
            text = " ".join(str(row[column]) for column in content_columns if row.get(column) is not None)
            key_columns = identifier_columns or content_columns
            identity = " ".join(str(row[column]) for column in key_columns if row.get(column) is not None)
            meta = {column: str(value) for column, value in row.items()
                    if column not in content_columns and value is not None}
            meta["_id"] = hashlib.sha256(identity.encode()).hexdigest()
            if extra:
                meta["source_metadata"] = {key: values[0] if len(values) == 1 else values
                                           for key, values in extra.items()}
            texts.append(text)
            metadata.append(meta)
        if not _truthy(params.get("allow_duplicates")):
            seen = await storage(context).existing_identifiers(base, [meta["_id"] for meta in metadata])
            fresh = [index for index, meta in enumerate(metadata)
                     if meta["_id"] not in seen and not seen.add(meta["_id"])]
            texts, metadata = [texts[i] for i in fresh], [metadata[i] for i in fresh]
        stored = await store_texts(context, base, texts, metadata) if texts else 0
        return Data({"kb_name": base.name, "kb_id": str(base.id), "rows": len(rows), "stored": stored,
                     "skipped": len(rows) - stored, "embedding_model": base.embedding_model})
