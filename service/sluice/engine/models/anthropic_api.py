"""Anthropic's Messages API: the system prompt beside the turns, tool use as content blocks, and
streamed events (`content_block_delta` text and `input_json_delta` tool input).

Hand-written over the worker's httpx client: the `anthropic` SDK's import builds every type of
Anthropic's API (about 50 MB, and seconds on a busy machine, with the worker's event loop stalled).
JSON answers are asked for in the system prompt (Structured Output puts the schema there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import orjson

from sluice.engine.models import wire
from sluice.engine.models.chat import ChatModel, Reply, TokenSink, ToolCall, Usage, arguments_of, inline_image, text_of

VERSION = "2023-06-01"
# Langflow's AnthropicModel default: the API requires a limit.
DEFAULT_MAX_TOKENS = 4096
# Chat-completions fields with no Messages equivalent; everything else in the settings is passed on.
_DROPPED = {"response_format", "seed", "stream_options", "parallel_tool_calls", "n", "logprobs", "frequency_penalty",
            "presence_penalty", "user"}


async def chat(client: httpx.AsyncClient, model: ChatModel, messages: Sequence[Mapping[str, Any]],
               tools: Sequence[Mapping[str, Any]], on_token: TokenSink | None, request: Mapping[str, Any]) -> Reply:
    body = _body(model, messages, tools, request)
    url = f"{model.base_url}/v1/messages"
    headers = {"anthropic-version": VERSION, **({"x-api-key": model.api_key} if model.api_key else {})}
    if on_token is None:
        return _reply(model, await wire.post(client, model, url, body, headers))
    body["stream"] = True
    async with wire.streamed(client, model, url, body, headers) as lines:
        return await _streamed(model, wire.sse_data(lines), on_token)


def _body(model: ChatModel, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]],
          request: Mapping[str, Any]) -> dict[str, Any]:
    settings = {k: v for k, v in {**model.settings, **request}.items() if k not in _DROPPED}
    choice = settings.pop("tool_choice", None)
    if "stop" in settings:
        stop = settings.pop("stop")
        settings["stop_sequences"] = [stop] if isinstance(stop, str) else stop
    system = "\n\n".join(text_of(m.get("content")) for m in messages if m.get("role") == "system")
    body: dict[str, Any] = {"model": model.name, "max_tokens": DEFAULT_MAX_TOKENS, **settings,
                            "messages": _turns(messages)}
    if system:
        body["system"] = system
    if tools:
        body["tools"] = [{"name": f["name"], "description": f.get("description") or "",
                          "input_schema": f.get("parameters") or {"type": "object", "properties": {}}}
                         for f in (tool.get("function") or {} for tool in tools)]
        if choice is not None:
            body["tool_choice"] = _tool_choice(choice)
    return body


def _tool_choice(choice: Any) -> dict[str, Any]:
    if isinstance(choice, Mapping):
        return {"type": "tool", "name": (choice.get("function") or {}).get("name", "")}
    return {"type": {"required": "any", "none": "none"}.get(str(choice), "auto")}


def _turns(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """User and assistant turns as content blocks; tool results go back as the user's, and
    consecutive turns of one role are merged (the API wants them alternating)."""
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "system":
            continue
        if role == "tool":
            blocks = [{"type": "tool_result", "tool_use_id": message.get("tool_call_id") or "",
                       "content": text_of(message.get("content"))}]
            role = "user"
        else:
            blocks = _blocks(message.get("content"))
            for call in message.get("tool_calls") or ():
                blocks.append({"type": "tool_use", "id": call.get("id") or "",
                               "name": (call.get("function") or {}).get("name") or "", "input": arguments_of(call)})
            role = "assistant" if role == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for part in content if isinstance(content, list) else ():
        if not isinstance(part, Mapping):
            continue
        if part.get("type") == "text" and part.get("text"):
            blocks.append({"type": "text", "text": part["text"]})
        elif part.get("type") == "image_url":
            url = str((part.get("image_url") or {}).get("url") or "")
            inline = inline_image(url)
            source = {"type": "base64", "media_type": inline[0], "data": inline[1]} if inline \
                else {"type": "url", "url": url}
            blocks.append({"type": "image", "source": source})
    return blocks


def _reply(model: ChatModel, document: Mapping[str, Any]) -> Reply:
    blocks = document.get("content")
    if not isinstance(blocks, list):
        raise wire.malformed(model, "a Messages answer")
    text = "".join(b.get("text") or "" for b in blocks if isinstance(b, Mapping) and b.get("type") == "text")
    calls = tuple(ToolCall(id=str(b.get("id") or f"call_{i}"), name=str(b.get("name") or ""),
                           arguments=orjson.dumps(b.get("input") or {}).decode())
                  for i, b in enumerate(blocks) if isinstance(b, Mapping) and b.get("type") == "tool_use")
    return Reply(content=text, tool_calls=calls, usage=_usage(document.get("usage")))


async def _streamed(model: ChatModel, events: Any, on_token: TokenSink) -> Reply:
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    inputs = outputs = 0
    async for event in events:
        if not isinstance(event, Mapping):
            continue
        kind = event.get("type")
        if kind == "message_start":
            inputs = _usage((event.get("message") or {}).get("usage")).input_tokens
        elif kind == "content_block_start":
            block = event.get("content_block") or {}
            if block.get("type") == "tool_use":
                calls[int(event.get("index", len(calls)))] = {"id": str(block.get("id") or ""),
                                                              "name": str(block.get("name") or ""), "arguments": ""}
        elif kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta" and delta.get("text"):
                text.append(delta["text"])
                on_token(delta["text"])
            elif delta.get("type") == "input_json_delta" and int(event.get("index", -1)) in calls:
                calls[int(event["index"])]["arguments"] += delta.get("partial_json") or ""
        elif kind == "message_delta":
            outputs = _usage(event.get("usage")).output_tokens or outputs
        elif kind == "error":
            error = event.get("error") or {}
            raise wire.ProviderError(f"the model endpoint {model.base_url} failed mid-answer: "
                                     f"{error.get('message') or error.get('type') or 'an error'}",
                                     retryable=error.get("type") in ("overloaded_error", "api_error"))
    tool_calls = tuple(ToolCall(id=call["id"] or f"call_{index}", name=call["name"],
                                arguments=call["arguments"] or "{}") for index, call in sorted(calls.items()))
    return Reply(content="".join(text), tool_calls=tool_calls, usage=Usage(inputs, outputs))


def _usage(usage: Any) -> Usage:
    if not isinstance(usage, Mapping):
        return Usage()
    counts = [usage.get("input_tokens"), usage.get("output_tokens")]
    return Usage(*(value if isinstance(value, int) else 0 for value in counts))
