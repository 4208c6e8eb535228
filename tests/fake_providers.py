"""Small servers speaking the native protocols of the providers that are not OpenAI-compatible:
Anthropic's Messages, Gemini's generateContent, Ollama's /api/chat. Scripts, replies and recorded
requests work as in tests/fake_openai.py (the same `fake.text`, `fake.tool_call`, `fake.error`...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any

from fake_openai import FakeOpenAI, JSONHandler, usage, vector

ANTHROPIC_KEY = "sk-ant-test-key"
GOOGLE_KEY = "google-test-key"
COHERE_KEY = "cohere-test-key"


def _words(content: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", content)


class FakeAnthropic(FakeOpenAI):
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {"ANTHROPIC_BASE_URL": self.base_url, "ANTHROPIC_API_KEY": ANTHROPIC_KEY}

    def last_user_text(self, body: Mapping[str, Any]) -> str:
        for message in reversed(body.get("messages") or []):
            content = message.get("content")
            if message.get("role") != "user":
                continue
            if isinstance(content, str):
                return content
            texts = [block["text"] for block in content if block.get("type") == "text"]
            if texts:
                return texts[-1]
        return ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        class Handler(JSONHandler):
            def answer(self, reply: dict[str, Any], body: dict[str, Any]) -> None:
                if reply["kind"] == "error":
                    kind = "rate_limit_error" if reply["status"] == 429 else "invalid_request_error"
                    self._json(reply["status"], {"type": "error", "error": {"type": kind, "message": reply["message"]}},
                               reply.get("headers"))
                    return
                sent, answered = usage(body, reply.get("content") or "")
                blocks = ([{"type": "tool_use", "id": c["id"], "name": c["name"], "input": json.loads(c["arguments"])}
                           for c in reply["calls"]] if reply["kind"] == "tools"
                          else [{"type": "text", "text": reply["content"]}])
                if not body.get("stream"):
                    self._json(200, {"id": "msg_test", "type": "message", "role": "assistant", "model": body["model"],
                                     "content": blocks, "stop_reason": "end_turn",
                                     "usage": {"input_tokens": sent, "output_tokens": answered}})
                    return
                events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": {
                    "id": "msg_test", "type": "message", "role": "assistant", "content": [], "model": body["model"],
                    "usage": {"input_tokens": sent, "output_tokens": 1}}}), ("ping", {"type": "ping"})]
                for index, block in enumerate(blocks):
                    if block["type"] == "text":
                        start = {"type": "text", "text": ""}
                        deltas = [{"type": "text_delta", "text": piece} for piece in _words(block["text"])]
                    else:
                        start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
                        raw = json.dumps(block["input"])
                        deltas = [{"type": "input_json_delta", "partial_json": raw[i:i + 5]}
                                  for i in range(0, len(raw), 5)]
                    events.append(("content_block_start",
                                   {"type": "content_block_start", "index": index, "content_block": start}))
                    events.extend(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                           "delta": delta}) for delta in deltas)
                    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
                events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                                 "usage": {"output_tokens": answered}}))
                events.append(("message_stop", {"type": "message_stop"}))
                self._events([f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events])

        Handler.fake = self
        return Handler


class FakeGemini(FakeOpenAI):
    """generateContent, streamGenerateContent (`?alt=sse`) and embedContent/batchEmbedContents."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {"GOOGLE_BASE_URL": self.base_url, "GOOGLE_API_KEY": GOOGLE_KEY}

    def last_user_text(self, body: Mapping[str, Any]) -> str:
        for content in reversed(body.get("contents") or []):
            texts = [part["text"] for part in content.get("parts") or () if "text" in part]
            if content.get("role") == "user" and texts:
                return texts[-1]
        return ""

    def _answer(self, target: str, body: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        if "batchEmbedContents" in target or ":embedContent" in target:
            super()._answer(target, body, headers)
            return {"kind": "embeddings"}
        return super()._answer(target, body, headers)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        class Handler(JSONHandler):
            def answer(self, reply: dict[str, Any], body: dict[str, Any]) -> None:
                if reply["kind"] == "error":
                    status = {429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}.get(reply["status"], "INVALID_ARGUMENT")
                    self._json(reply["status"], {"error": {"code": reply["status"], "message": reply["message"],
                                                           "status": status}}, reply.get("headers"))
                    return
                if reply["kind"] == "embeddings":
                    requests = body.get("requests") or [body]
                    texts = [request["content"]["parts"][0]["text"] for request in requests]
                    key = "embeddings" if "requests" in body else "embedding"
                    values = [{"values": vector(text)} for text in texts]
                    self._json(200, {key: values if key == "embeddings" else values[0]})
                    return
                sent, answered = usage(body, reply.get("content") or "")
                if reply["kind"] == "tools":
                    parts = [{"functionCall": {"name": c["name"], "args": json.loads(c["arguments"])}}
                             for c in reply["calls"]]
                    pieces = [parts]
                else:
                    pieces = [[{"text": piece}] for piece in _words(reply["content"])] or [[{"text": ""}]]
                    parts = [{"text": reply["content"]}]
                metadata = {"promptTokenCount": sent, "candidatesTokenCount": answered}

                def chunk(chunk_parts: list[dict[str, Any]]) -> dict[str, Any]:
                    return {"candidates": [{"content": {"role": "model", "parts": chunk_parts},
                                            "finishReason": "STOP", "index": 0}], "usageMetadata": metadata}

                if ":streamGenerateContent" in self.path:
                    self._events([f"data: {json.dumps(chunk(p))}\r\n\r\n" for p in pieces])
                else:
                    self._json(200, chunk(parts))

        Handler.fake = self
        return Handler


class FakeOllama(FakeOpenAI):
    """Ollama's native /api/chat (newline-delimited JSON when streaming) and /api/embed."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {"OLLAMA_BASE_URL": self.base_url}

    def _answer(self, target: str, body: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        reply = super()._answer(target, body, headers)
        return {"kind": "embeddings"} if target.startswith("/api/embed") else reply

    def handler(self) -> type[BaseHTTPRequestHandler]:
        class Handler(JSONHandler):
            def answer(self, reply: dict[str, Any], body: dict[str, Any]) -> None:
                if reply["kind"] == "error":
                    self._json(reply["status"], {"error": reply["message"]}, reply.get("headers"))
                    return
                if reply["kind"] == "embeddings":
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    self._json(200, {"model": body["model"], "embeddings": [vector(text) for text in inputs],
                                     "prompt_eval_count": sum(len(t.split()) for t in inputs)})
                    return
                sent, answered = usage(body, reply.get("content") or "")
                message: dict[str, Any] = {"role": "assistant", "content": reply.get("content") or ""}
                if reply["kind"] == "tools":
                    message["tool_calls"] = [{"function": {"name": c["name"], "arguments": json.loads(c["arguments"])}}
                                             for c in reply["calls"]]
                done = {"model": body["model"], "done": True, "done_reason": "stop", "prompt_eval_count": sent,
                        "eval_count": answered}
                if body.get("stream") is False:
                    self._json(200, {**done, "message": message})
                    return
                lines = [{"model": body["model"], "done": False, "message": {"role": "assistant", "content": piece}}
                         for piece in _words(message["content"])]
                if "tool_calls" in message:
                    lines.append({"model": body["model"], "done": False,
                                  "message": {"role": "assistant", "content": "", "tool_calls": message["tool_calls"]}})
                lines.append({**done, "message": {"role": "assistant", "content": ""}})
                self._events([json.dumps(line) + "\n" for line in lines], "application/x-ndjson")

        Handler.fake = self
        return Handler



class FakeCohere(FakeOpenAI):
    """Cohere's /v2/embed."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {"COHERE_BASE_URL": self.base_url, "COHERE_API_KEY": COHERE_KEY}

    def _answer(self, target: str, body: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        reply = super()._answer(target, body, headers)
        return reply if reply["kind"] == "error" else {"kind": "embeddings"}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        class Handler(JSONHandler):
            def answer(self, reply: dict[str, Any], body: dict[str, Any]) -> None:
                if reply["kind"] == "error":
                    self._json(reply["status"], {"message": reply["message"]}, reply.get("headers"))
                    return
                texts = body["texts"]
                self._json(200, {"id": "embed-test", "embeddings": {"float": [vector(t) for t in texts]},
                                 "texts": texts,
                                 "meta": {"billed_units": {"input_tokens": sum(len(t.split()) for t in texts)}}})

        Handler.fake = self
        return Handler
