"""OpenAI's chat completions, images and embeddings; also every OpenAI-compatible provider, and Azure
OpenAI, which serves the same bodies under `/openai/deployments/{deployment}/...?api-version=`.

Hand-written over the worker's httpx client: the protocol is small, and the `openai` SDK costs a
worker 20 MB and a second or more of import, with its event loop stalled while it imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from sluice.engine.models import wire
from sluice.engine.models.chat import ChatModel, Embeddings, Reply, TokenSink, ToolCall, Usage
from sluice.engine.models.providers import AZURE

AZURE_API_VERSION = "2024-06-01"


def target(model: ChatModel, operation: str) -> tuple[str, dict[str, str]]:
    """URL and headers of one operation (`chat/completions`, `embeddings`, `images/generations`)."""
    if model.protocol == AZURE:
        url = (f"{model.base_url}/openai/deployments/{model.name}/{operation}"
               f"?api-version={model.api_version or AZURE_API_VERSION}")
        return url, ({"api-key": model.api_key} if model.api_key else {})
    return f"{model.base_url}/{operation}", ({"Authorization": f"Bearer {model.api_key}"} if model.api_key else {})


async def chat(client: httpx.AsyncClient, model: ChatModel, messages: Sequence[Mapping[str, Any]],
               tools: Sequence[Mapping[str, Any]], on_token: TokenSink | None, request: Mapping[str, Any]) -> Reply:
    body: dict[str, Any] = {"model": model.name, "messages": list(messages), **model.settings, **request}
    if tools:
        body["tools"] = list(tools)
    url, headers = target(model, "chat/completions")
    if on_token is None:
        return _reply(model, await wire.post(client, model, url, body, headers))
    body["stream"] = True
    # A streamed answer carries its usage only when asked (OpenAI and the compatible providers alike).
    body.setdefault("stream_options", {"include_usage": True})
    async with wire.streamed(client, model, url, body, headers) as lines:
        return await _streamed(wire.sse_data(lines), on_token)


async def embed(client: httpx.AsyncClient, model: ChatModel, texts: Sequence[str]) -> Embeddings:
    body: dict[str, Any] = {"model": model.name, "input": list(texts), **model.settings}
    url, headers = target(model, "embeddings")
    document = await wire.post(client, model, url, body, headers)
    try:
        items = sorted(document["data"], key=lambda item: item.get("index", 0))
        vectors = tuple(tuple(float(x) for x in item["embedding"]) for item in items)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise wire.malformed(model, "a list of embeddings") from None
    usage = document.get("usage") or {}
    return Embeddings(vectors, Usage(_int(usage.get("prompt_tokens")), 0))


async def generate_images(client: httpx.AsyncClient, model: ChatModel, prompt: str,
                          request: Mapping[str, Any]) -> list[str]:
    """Images from `/images/generations`: each a URL or a `data:` URI."""
    url, headers = target(model, "images/generations")
    document = await wire.post(client, model, url, {"model": model.name, "prompt": prompt, **request}, headers)
    images = []
    for item in document.get("data") or ():
        if isinstance(item, Mapping) and isinstance(item.get("url"), str):
            images.append(item["url"])
        elif isinstance(item, Mapping) and isinstance(item.get("b64_json"), str):
            images.append("data:image/png;base64," + item["b64_json"])
    if not images:
        raise wire.ProviderError(f"the image endpoint {model.base_url} returned no image.")
    return images


def _reply(model: ChatModel, document: Mapping[str, Any]) -> Reply:
    try:
        message = document["choices"][0]["message"]
        calls = tuple(
            ToolCall(id=str(call.get("id") or f"call_{index}"), name=call["function"]["name"],
                     arguments=call["function"].get("arguments") or "{}")
            for index, call in enumerate(message.get("tool_calls") or ())
        )
        return Reply(content=message.get("content") or "", tool_calls=calls, usage=_usage(document.get("usage")))
    except (KeyError, IndexError, TypeError, AttributeError):
        raise wire.malformed(model, "a chat completion") from None


async def _streamed(chunks: Any, on_token: TokenSink) -> Reply:
    """Pass text chunks on and assemble tool calls from a streamed completion."""
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    usage = Usage()
    async for chunk in chunks:
        if not isinstance(chunk, Mapping):
            continue
        if chunk.get("usage"):  # the last chunk, with `stream_options: {"include_usage": true}`
            usage = _usage(chunk["usage"])
        choices = chunk.get("choices")
        delta = choices[0].get("delta") if isinstance(choices, list) and choices and isinstance(choices[0], Mapping) \
            else None
        if not isinstance(delta, Mapping):
            continue
        piece = delta.get("content")
        if isinstance(piece, str) and piece:
            text.append(piece)
            on_token(piece)
        for part in delta.get("tool_calls") or ():
            call = calls.setdefault(int(part.get("index", len(calls))), {"id": "", "name": "", "arguments": ""})
            function = part.get("function") or {}
            call["id"] = part.get("id") or call["id"]
            call["name"] += function.get("name") or ""
            call["arguments"] += function.get("arguments") or ""
    tool_calls = tuple(
        ToolCall(id=call["id"] or f"call_{index}", name=call["name"], arguments=call["arguments"] or "{}")
        for index, call in sorted(calls.items())
    )
    return Reply(content="".join(text), tool_calls=tool_calls, usage=usage)


def _usage(usage: Any) -> Usage:
    if not isinstance(usage, Mapping):
        return Usage()
    return Usage(_int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens")))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
