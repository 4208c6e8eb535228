"""Ollama's native API: /api/chat (newline-delimited JSON when streamed) and /api/embed.

Hand-written over the worker's httpx client: the `ollama` package is itself a thin httpx wrapper.
Images go as base64 (`images`), which is all Ollama accepts; tool results answer calls by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import orjson

from sluice.engine.models import wire
from sluice.engine.models.chat import (
    ChatModel,
    Embeddings,
    Reply,
    TokenSink,
    ToolCall,
    Usage,
    arguments_of,
    inline_image,
    text_of,
)
from sluice.engine.models.providers import OLLAMA_OPTIONS

# Chat-completions settings and their Ollama `options` names; Ollama's own options pass as they are.
_OPTIONS = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k", "max_tokens": "num_predict",
            "seed": "seed", "stop": "stop", "presence_penalty": "presence_penalty",
            "frequency_penalty": "frequency_penalty"}
_TOP_LEVEL = ("keep_alive", "think")


def _headers(model: ChatModel) -> dict[str, str]:
    return {"Authorization": f"Bearer {model.api_key}"} if model.api_key else {}


async def chat(client: httpx.AsyncClient, model: ChatModel, messages: Sequence[Mapping[str, Any]],
               tools: Sequence[Mapping[str, Any]], on_token: TokenSink | None, request: Mapping[str, Any]) -> Reply:
    settings = {**model.settings, **request}
    body: dict[str, Any] = {"model": model.name, "messages": _messages(model, messages), "stream": on_token is not None}
    options = {_OPTIONS.get(k, k): v for k, v in settings.items() if k in _OPTIONS or k in OLLAMA_OPTIONS}
    if options:
        body["options"] = options
    body.update({k: settings[k] for k in _TOP_LEVEL if k in settings})
    answer_format = settings.get("response_format")
    if isinstance(answer_format, Mapping) and answer_format.get("type") in ("json_object", "json_schema"):
        body["format"] = (answer_format.get("json_schema") or {}).get("schema") or "json"
    if tools:
        body["tools"] = list(tools)
    url = f"{model.base_url}/api/chat"
    if on_token is None:
        return _reply(model, [await wire.post(client, model, url, body, _headers(model))])
    async with wire.streamed(client, model, url, body, _headers(model)) as lines:
        chunks = []
        async for line in lines:
            if not line.strip():
                continue
            try:
                chunk = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(chunk, Mapping) and chunk.get("error"):
                raise wire.ProviderError(f"the model endpoint {model.base_url} failed mid-answer: {chunk['error']}")
            piece = (chunk.get("message") or {}).get("content") if isinstance(chunk, Mapping) else None
            if isinstance(piece, str) and piece:
                on_token(piece)
            chunks.append(chunk)
    return _reply(model, chunks)


async def embed(client: httpx.AsyncClient, model: ChatModel, texts: Sequence[str]) -> Embeddings:
    document = await wire.post(client, model, f"{model.base_url}/api/embed", {"model": model.name, "input": texts},
                               _headers(model))
    try:
        vectors = tuple(tuple(float(x) for x in vector) for vector in document["embeddings"])
    except (KeyError, TypeError, ValueError):
        raise wire.malformed(model, "a list of embeddings") from None
    count = document.get("prompt_eval_count")
    return Embeddings(vectors, Usage(count if isinstance(count, int) else 0, 0))


def _inline(model: ChatModel, url: str) -> str:
    inline = inline_image(url)
    if inline is None:
        raise wire.ProviderError(f"{model.provider} takes images only as data: URIs, not {url[:80]}.")
    return inline[1]


def _messages(model: ChatModel, messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    names: dict[str, str] = {}
    converted: list[dict[str, Any]] = []
    for message in messages:
        role = str(message.get("role") or "user")
        content = message.get("content")
        turn: dict[str, Any] = {"role": role, "content": text_of(content)}
        images = [_inline(model, str((part.get("image_url") or {}).get("url") or ""))
                  for part in (content if isinstance(content, list) else ())
                  if isinstance(part, Mapping) and part.get("type") == "image_url"]
        if images:
            turn["images"] = images
        if message.get("tool_calls"):
            turn["tool_calls"] = []
            for call in message["tool_calls"]:
                name = (call.get("function") or {}).get("name") or ""
                names[str(call.get("id"))] = name
                turn["tool_calls"].append({"function": {"name": name, "arguments": arguments_of(call)}})
        if role == "tool":
            turn["tool_name"] = names.get(str(message.get("tool_call_id")), "")
        converted.append(turn)
    return converted


def _reply(model: ChatModel, chunks: Sequence[Any]) -> Reply:
    text: list[str] = []
    calls: list[ToolCall] = []
    usage = Usage()
    for chunk in chunks:
        message = chunk.get("message") if isinstance(chunk, Mapping) else None
        if not isinstance(message, Mapping):
            raise wire.malformed(model, "an Ollama chat answer")
        if isinstance(message.get("content"), str):
            text.append(message["content"])
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            calls.append(ToolCall(id=f"call_{len(calls)}", name=str(function.get("name") or ""),
                                  arguments=orjson.dumps(function.get("arguments") or {}).decode()))
        if chunk.get("done"):
            usage = Usage(*(chunk.get(k) if isinstance(chunk.get(k), int) else 0
                            for k in ("prompt_eval_count", "eval_count")))
    return Reply(content="".join(text), tool_calls=tuple(calls), usage=usage)
