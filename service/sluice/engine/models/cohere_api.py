"""Cohere's embed API (v2): the one Cohere endpoint Langflow's components use (CohereEmbeddings).

Hand-written over the worker's httpx client; the `cohere` SDK would add pydantic types for its
whole API to serve one call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from sluice.engine.models import wire
from sluice.engine.models.chat import ChatModel, Embeddings, Usage


async def embed(client: httpx.AsyncClient, model: ChatModel, texts: Sequence[str]) -> Embeddings:
    body = {"model": model.name, "texts": list(texts), "input_type": "search_document", "embedding_types": ["float"],
            **{k: v for k, v in model.settings.items() if k in ("truncate", "input_type")}}
    headers = {"Authorization": f"Bearer {model.api_key}"} if model.api_key else {}
    document = await wire.post(client, model, f"{model.base_url}/v2/embed", body, headers)
    try:
        vectors = tuple(tuple(float(x) for x in vector) for vector in document["embeddings"]["float"])
    except (KeyError, TypeError, ValueError):
        raise wire.malformed(model, "a list of embeddings") from None
    units = (document.get("meta") or {}).get("billed_units") or {}
    tokens = units.get("input_tokens") if isinstance(units, Mapping) else 0
    return Embeddings(vectors, Usage(tokens if isinstance(tokens, int) else 0, 0))
