"""Embedding models: every provider's embeddings node, and Text Embedder, which uses one.

An embeddings node produces the configured model (its `embeddings` output), as Langflow's do for
vector stores; whatever needs vectors calls `llm.embed(llm.client(context, model), model, texts)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine import llm
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, to_text


class EmbeddingModel(Component):
    """Serves EmbeddingModel, OpenAIEmbeddings, AzureOpenAIEmbeddings, Google Generative AI Embeddings,
    OllamaEmbeddings, MistalAIEmbeddings and CohereEmbeddings."""

    secret_fields = llm.KEY_FIELDS

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        return {"embeddings": llm.embedding_model_from_params(params, context.settings, node_type=node.type)}


class TextEmbedder(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        model = params.get("embedding_model")
        if not isinstance(model, llm.ChatModel):
            raise ComponentError("no embedding model is connected: connect an embeddings node to Embedding Model.")
        text = to_text(params.get("message"))
        if not text:
            raise ComponentError("the message to embed is empty.")
        embeddings = await llm.embed(llm.client(context, model), model, [text])
        return {"embeddings": Data({"text": text, "embeddings": list(embeddings.vectors[0])})}
