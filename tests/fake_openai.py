"""A small OpenAI-compatible server for tests: real HTTP on 127.0.0.1, scripted answers, recorded requests.

It stands in for what is outside Sluice (a model endpoint). Worker processes reach it through
`OPENAI_BASE_URL`. A request is answered by the latest script whose trigger text appears in it
(each script's replies in turn, the last one repeated); anything else gets `echo: <last user text>`,
and `/embeddings` answers each input with `vector(text)`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
import zlib
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "fake-model"
IMAGE_MODEL = "fake-image-model"
API_KEY = "sk-test-key"


def text(content: str, delay: float = 0) -> dict[str, Any]:
    """An answer in text, sent after `delay` seconds."""
    return {"kind": "text", "content": content, "delay": delay}


def tool_call(name: str, arguments: Mapping[str, Any], call_id: str | None = None) -> dict[str, Any]:
    return {"kind": "tools", "calls": [{"id": call_id or f"call_{uuid.uuid4().hex[:8]}", "name": name,
                                        "arguments": json.dumps(arguments)}]}


def error(status: int, message: str) -> dict[str, Any]:
    return {"kind": "error", "status": status, "message": message}


def image(url: str | None = None, b64: str | None = None) -> dict[str, Any]:
    return {"kind": "image", "url": url, "b64": b64}


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) refuses connections when many workers call at once, which a real
    # model endpoint would not do.
    request_queue_size = 256


class FakeOpenAI:
    def __init__(self, echo_delay: float = 0) -> None:
        # How long the default `echo:` answer takes, to stand in for a model that thinks a little.
        self.echo_delay = echo_delay
        self._lock = threading.Lock()
        self._scripts: list[tuple[str, list[dict[str, Any]]]] = []
        self.requests: list[dict[str, Any]] = []
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def env(self) -> dict[str, str]:
        """What a worker needs to use this server by default."""
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": API_KEY, "SLUICE_DEFAULT_MODEL": MODEL,
                "SLUICE_DEFAULT_IMAGE_MODEL": IMAGE_MODEL, "SLUICE_DEFAULT_EMBEDDING_MODEL": EMBEDDING_MODEL}

    def script(self, trigger: str, *replies: dict[str, Any]) -> None:
        with self._lock:
            self._scripts.append((trigger, list(replies)))

    def received(self, trigger: str, path: str = "/v1/chat/completions") -> list[dict[str, Any]]:
        """The recorded request bodies to `path` that contain `trigger`, in arrival order."""
        with self._lock:
            return [r["body"] for r in self.requests if r["path"] == path and trigger in json.dumps(r["body"])]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, path: str, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        raw = json.dumps(body)
        with self._lock:
            self.requests.append({"path": path, "body": body, "authorization": authorization})
            if path.endswith("/embeddings"):
                return {"kind": "embeddings"}
            for trigger, replies in reversed(self._scripts):
                if trigger in raw:
                    return replies.pop(0) if len(replies) > 1 else replies[0]
        if path.endswith("/images/generations"):
            return image(url=f"https://images.test/{uuid.uuid4().hex[:8]}.png")
        users = [m for m in body.get("messages", []) if m.get("role") == "user"]
        return text("echo: " + (_content(users[-1]) if users else ""), delay=self.echo_delay)


EMBEDDING_MODEL = "fake-embedding"
DIMENSIONS = 64


def vector(text: str) -> list[float]:
    """A fixed embedding of `text`: its words hashed into DIMENSIONS counts (a bag of words), so texts
    that share words are near in cosine distance and a test knows which chunks a query should find."""
    counts = [0.0] * DIMENSIONS
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        counts[zlib.crc32(word.encode()) % DIMENSIONS] += 1.0
    # A text without words still gets a direction, so its cosine distance is defined.
    counts[0] += 0.01
    return counts


def _content(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    return content if isinstance(content, str) else json.dumps(content)


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Buffered: headers and body leave in one write (flushed after each request), not two small
        # packets that Nagle's algorithm would hold back for a delayed ACK.
        wbufsize = 1 << 16

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
            reply = fake._answer(self.path, body, self.headers.get("authorization"))
            time.sleep(reply.get("delay", 0))
            if reply["kind"] == "error":
                self._json(reply["status"], {"error": {"message": reply["message"], "type": "test"}})
            elif reply["kind"] == "embeddings":
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                self._json(200, {"object": "list", "model": body.get("model"),
                                 "data": [{"object": "embedding", "index": i, "embedding": vector(text)}
                                          for i, text in enumerate(inputs)],
                                 "usage": {"prompt_tokens": sum(len(t.split()) for t in inputs), "total_tokens": 0}})
            elif reply["kind"] == "image":
                item = {"b64_json": reply["b64"]} if reply["b64"] else {"url": reply["url"]}
                self._json(200, {"created": 0, "data": [item]})
            elif body.get("stream"):
                self._stream(reply)
            else:
                self._json(200, _completion(reply))

        def _json(self, status: int, document: Any) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, reply: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("connection", "close")
            self.end_headers()
            for delta in _deltas(reply):
                chunk = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.close_connection = True

    return Handler


def _completion(reply: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    if reply["kind"] == "tools":
        message["tool_calls"] = [{"id": c["id"], "type": "function",
                                  "function": {"name": c["name"], "arguments": c["arguments"]}}
                                 for c in reply["calls"]]
    return {"id": "chatcmpl-test", "object": "chat.completion", "model": MODEL,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}


def _deltas(reply: dict[str, Any]) -> list[dict[str, Any]]:
    if reply["kind"] == "tools":
        return [{"tool_calls": [{"index": i, "id": c["id"], "type": "function",
                                 "function": {"name": c["name"], "arguments": c["arguments"]}}]}
                for i, c in enumerate(reply["calls"])]
    # Word by word, each chunk keeping its trailing space, so the chunks add up to the answer.
    return [{"role": "assistant", "content": piece} for piece in re.findall(r"\S+\s*|\s+", reply["content"])]
