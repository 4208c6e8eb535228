"""Knowledge bases in flows: filling one from uploaded files (`SluiceKnowledgeIngestion`, the one
node of an ingestion job's graph, sluice/engine/ingestion.py).

The knowledge base, the files and the chunks are reached through the worker's storage protocols
(sluice/engine/services.py), always as the job's owner: another owner's knowledge base or file is not
found. Embeddings come from the operator's OpenAI-compatible endpoint (`OPENAI_BASE_URL` and
`OPENAI_API_KEY`), with the model the knowledge base was created with.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sluice.engine import llm
from sluice.engine.chunking import knowledge_chunks
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.parsing import ParseError, read_text
from sluice.engine.values import Data
from sluice.models import KnowledgeBase, KnowledgeChunk

# Texts per request to the embedding endpoint (OpenAI takes up to 2048 inputs).
EMBED_BATCH = 256


def storage(context: RunContext) -> Any:
    if context.services.knowledge is None:
        raise ComponentError("knowledge bases are kept in Sluice's database: run this flow on a worker.")
    return context.services.knowledge


def embedding_model(base: KnowledgeBase) -> llm.ChatModel:
    return llm.model_from_params({"model_name": base.embedding_model})


async def embed(context: RunContext, base: KnowledgeBase, texts: Sequence[str]) -> list[list[float]]:
    model = embedding_model(base)
    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBED_BATCH):
        vectors.extend(await llm.embed(context.http, model, texts[start:start + EMBED_BATCH]))
    return vectors


async def store_texts(context: RunContext, base: KnowledgeBase, texts: Sequence[str],
                      metadata: Sequence[Mapping[str, Any]]) -> int:
    """Embed `texts` and store them as chunks of `base`, each with its metadata."""
    vectors = await embed(context, base, texts)
    chunks = [KnowledgeChunk(uuid.uuid4(), text, dict(meta), tuple(vector))
              for text, meta, vector in zip(texts, metadata, vectors, strict=True)]
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
            stored = await store_texts(context, base, chunks, metadata)
            ingested.append({"file_name": name, "file_id": str(file_id), "chunks": stored})
        summary = {"knowledge_base": base.name, "files": ingested,
                   "chunks": sum(item["chunks"] for item in ingested)}
        return {"result": Data(summary)}
