"""Google's Gemini API: generateContent and streamGenerateContent (`?alt=sse`), function calling,
JSON answers by schema, and batchEmbedContents.

Hand-written over the worker's httpx client: `google-genai` brings its own HTTP stack and auth
libraries (about 20 MB and seconds of import); the REST shapes needed here are few.
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

API = "v1beta"
# Chat-completions settings and their generationConfig names; others have no equivalent.
_GENERATION = {"temperature": "temperature", "top_p": "topP", "top_k": "topK", "max_tokens": "maxOutputTokens",
               "seed": "seed", "stop": "stopSequences", "presence_penalty": "presencePenalty",
               "frequency_penalty": "frequencyPenalty"}


def _url(model: ChatModel, method: str) -> str:
    return f"{model.base_url}/{API}/models/{model.name.removeprefix('models/')}:{method}"


def _headers(model: ChatModel) -> dict[str, str]:
    return {"x-goog-api-key": model.api_key} if model.api_key else {}


async def chat(client: httpx.AsyncClient, model: ChatModel, messages: Sequence[Mapping[str, Any]],
               tools: Sequence[Mapping[str, Any]], on_token: TokenSink | None, request: Mapping[str, Any]) -> Reply:
    body = _body(messages, tools, {**model.settings, **request})
    if on_token is None:
        return _reply(model, [await wire.post(client, model, _url(model, "generateContent"), body, _headers(model))])
    url = _url(model, "streamGenerateContent") + "?alt=sse"
    async with wire.streamed(client, model, url, body, _headers(model)) as lines:
        chunks = []
        async for chunk in wire.sse_data(lines):
            if isinstance(chunk, Mapping):
                piece = _reply(model, [chunk], allow_empty=True).content
                if piece:
                    on_token(piece)
                chunks.append(chunk)
    return _reply(model, chunks)


async def embed(client: httpx.AsyncClient, model: ChatModel, texts: Sequence[str]) -> Embeddings:
    name = f"models/{model.name.removeprefix('models/')}"
    body = {"requests": [{"model": name, "content": {"parts": [{"text": text}]}} for text in texts]}
    document = await wire.post(client, model, _url(model, "batchEmbedContents"), body, _headers(model))
    try:
        vectors = tuple(tuple(float(x) for x in item["values"]) for item in document["embeddings"])
    except (KeyError, TypeError, ValueError):
        raise wire.malformed(model, "a list of embeddings") from None
    return Embeddings(vectors)


def _body(messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]],
          settings: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"contents": _contents(messages)}
    system = "\n\n".join(text_of(m.get("content")) for m in messages if m.get("role") == "system")
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    generation = {_GENERATION[k]: v for k, v in settings.items() if k in _GENERATION}
    if isinstance(generation.get("stopSequences"), str):
        generation["stopSequences"] = [generation["stopSequences"]]
    answer_format = settings.get("response_format")
    if isinstance(answer_format, Mapping) and answer_format.get("type") in ("json_object", "json_schema"):
        generation["responseMimeType"] = "application/json"
        schema = (answer_format.get("json_schema") or {}).get("schema")
        if schema:
            generation["responseJsonSchema"] = schema
    if generation:
        body["generationConfig"] = generation
    if tools:
        body["tools"] = [{"functionDeclarations": [
            {"name": f["name"], "description": f.get("description") or "", "parameters": f.get("parameters")}
            for f in (tool.get("function") or {} for tool in tools)]}]
        choice = settings.get("tool_choice")
        if choice is not None:
            body["toolConfig"] = {"functionCallingConfig": _tool_choice(choice)}
    return body


def _tool_choice(choice: Any) -> dict[str, Any]:
    if isinstance(choice, Mapping):
        return {"mode": "ANY", "allowedFunctionNames": [(choice.get("function") or {}).get("name", "")]}
    return {"mode": {"required": "ANY", "none": "NONE"}.get(str(choice), "AUTO")}


def _contents(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Turns as `user`/`model` contents; a tool's result answers its call by the function's name."""
    names: dict[str, str] = {}
    contents: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "system":
            continue
        if role == "tool":
            name = names.get(str(message.get("tool_call_id")), "")
            parts = [{"functionResponse": {"name": name, "response": {"content": text_of(message.get("content"))}}}]
            role = "user"
        else:
            parts = _parts(message.get("content"))
            for call in message.get("tool_calls") or ():
                name = (call.get("function") or {}).get("name") or ""
                names[str(call.get("id"))] = name
                parts.append({"functionCall": {"name": name, "args": arguments_of(call)}})
            role = "model" if role == "assistant" else "user"
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        elif parts:
            contents.append({"role": role, "parts": parts})
    return contents


def _parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"text": content}] if content else []
    parts: list[dict[str, Any]] = []
    for part in content if isinstance(content, list) else ():
        if not isinstance(part, Mapping):
            continue
        if part.get("type") == "text" and part.get("text"):
            parts.append({"text": part["text"]})
        elif part.get("type") == "image_url":
            url = str((part.get("image_url") or {}).get("url") or "")
            inline = inline_image(url)
            if inline is None:  # fileData takes files uploaded to Google, not any URL
                raise wire.ProviderError(f"Google Generative AI takes images only as data: URIs, not {url[:80]}.")
            parts.append({"inlineData": {"mimeType": inline[0], "data": inline[1]}})
    return parts


def _reply(model: ChatModel, chunks: Sequence[Mapping[str, Any]], allow_empty: bool = False) -> Reply:
    """The reply the answer's chunks (one, when not streamed) add up to."""
    text: list[str] = []
    calls: list[ToolCall] = []
    usage = Usage()
    answered = False
    for chunk in chunks:
        candidates = chunk.get("candidates")
        if isinstance(chunk.get("usageMetadata"), Mapping):
            metadata = chunk["usageMetadata"]
            usage = Usage(_int(metadata.get("promptTokenCount")), _int(metadata.get("candidatesTokenCount")))
        if not isinstance(candidates, list) or not candidates or not isinstance(candidates[0], Mapping):
            continue
        answered = True
        for part in (candidates[0].get("content") or {}).get("parts") or ():
            if isinstance(part.get("text"), str) and not part.get("thought"):
                text.append(part["text"])
            elif isinstance(part.get("functionCall"), Mapping):
                call = part["functionCall"]
                calls.append(ToolCall(id=str(call.get("id") or f"call_{len(calls)}"), name=str(call.get("name") or ""),
                                      arguments=orjson.dumps(call.get("args") or {}).decode()))
    if not answered and not allow_empty:
        feedback = [c["promptFeedback"] for c in chunks if isinstance(c.get("promptFeedback"), Mapping)]
        blocked = next((f.get("blockReason") for f in feedback if f.get("blockReason")), None)
        if blocked:
            raise wire.ProviderError(f"the model endpoint {model.base_url} refused the prompt: {blocked}.")
        raise wire.malformed(model, "a generateContent answer")
    return Reply(content="".join(text), tool_calls=tuple(calls), usage=usage)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
