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


def text(content: str, delay: float = 0, chunk_delay: float = 0) -> dict[str, Any]:
    """An answer in text, sent after `delay` seconds; streamed, `chunk_delay` seconds between chunks."""
    return {"kind": "text", "content": content, "delay": delay, "chunk_delay": chunk_delay}


def tool_call(name: str, arguments: Mapping[str, Any], call_id: str | None = None) -> dict[str, Any]:
    return {"kind": "tools", "calls": [{"id": call_id or f"call_{uuid.uuid4().hex[:8]}", "name": name,
                                        "arguments": json.dumps(arguments)}]}


def error(status: int, message: str, retry_after: float | None = None) -> dict[str, Any]:
    """An error answer in the provider's shape; with `retry_after`, a `Retry-After` header (seconds)."""
    headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
    return {"kind": "error", "status": status, "message": message, "headers": headers}


def broken(content: str) -> dict[str, Any]:
    """A streamed answer that breaks off after its first words (the connection drops mid-body)."""
    return {"kind": "broken", "content": content}


def malformed() -> dict[str, Any]:
    """A 200 whose body is not JSON."""
    return {"kind": "malformed"}


def image(url: str | None = None, b64: str | None = None) -> dict[str, Any]:
    return {"kind": "image", "url": url, "b64": b64}


# Real endpoints always report usage; some clients (Langflow's) read it.


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) refuses connections when many workers call at once, which a real
    # model endpoint would not do.
    request_queue_size = 256
    # Connections accepted so far: a client that reuses its connections opens few.
    connections = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1  # one thread accepts, so no lock is needed
        super().process_request(request, client_address)


class FakeOpenAI:
    def __init__(self, echo_delay: float = 0) -> None:
        # How long the default `echo:` answer takes, to stand in for a model that thinks a little.
        self.echo_delay = echo_delay
        self._lock = threading.Lock()
        self._scripts: list[tuple[str, list[dict[str, Any]]]] = []
        self.requests: list[dict[str, Any]] = []
        self._server = _Server(("127.0.0.1", 0), self.handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        return self._server.connections

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
        return [r["body"] for r in self.records(trigger, path)]

    def records(self, trigger: str, path: str | None = None) -> list[dict[str, Any]]:
        """The recorded requests (path, query, body, headers, arrival time) that contain `trigger`."""
        with self._lock:
            return [r for r in self.requests
                    if (path is None or r["path"] == path) and trigger in json.dumps(r["body"])]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, target: str, body: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        raw = json.dumps(body)
        path, _, query = target.partition("?")
        with self._lock:
            self.requests.append({"path": path, "query": query, "body": body, "at": time.monotonic(),
                                  "authorization": headers.get("authorization"),
                                  "headers": {name.lower(): value for name, value in headers.items()}})
            for trigger, replies in reversed(self._scripts):
                # A chat reply scripted for a question does not answer that question's embedding.
                if trigger in raw and not (path.endswith("/embeddings") and replies[0]["kind"] in CHAT_KINDS):
                    return replies.pop(0) if len(replies) > 1 else replies[0]
        if path.endswith("/images/generations"):
            return image(url=f"https://images.test/{uuid.uuid4().hex[:8]}.png")
        if path.endswith("/embeddings"):
            return {"kind": "embeddings"}
        return text("echo: " + self.last_user_text(body), delay=self.echo_delay)

    def last_user_text(self, body: Mapping[str, Any]) -> str:
        users = [m for m in body.get("messages", []) if m.get("role") == "user"]
        return _content(users[-1]) if users else ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)


EMBEDDING_MODEL = "fake-embedding"
CHAT_KINDS = frozenset({"text", "tools", "broken"})
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
    if isinstance(content, list):  # text and image parts: the text is what gets echoed
        return "".join(part.get("text", "") for part in content if part.get("type") == "text")
    return content if isinstance(content, str) else json.dumps(content)


class JSONHandler(BaseHTTPRequestHandler):
    """What every fake provider's handler shares: reading a JSON request, writing JSON or events."""

    protocol_version = "HTTP/1.1"
    # Buffered: headers and body leave in one write (flushed after each request), not two small
    # packets that Nagle's algorithm would hold back for a delayed ACK.
    wbufsize = 1 << 16
    fake: FakeOpenAI

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        reply = self.fake._answer(self.path, body, self.headers)
        time.sleep(reply.get("delay", 0))
        if reply["kind"] == "malformed":
            self._raw(200, b"{not json", "application/json")
        else:
            self.answer(reply, body)

    def answer(self, reply: dict[str, Any], body: dict[str, Any]) -> None:
        raise NotImplementedError

    def _json(self, status: int, document: Any, headers: Mapping[str, str] | None = None) -> None:
        self._raw(status, json.dumps(document).encode(), "application/json", headers)

    def _raw(self, status: int, payload: bytes, content_type: str,
             headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _broken(self, lines: list[str]) -> None:
        """A chunked answer whose connection closes before its last chunk."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for line in lines:
            self.wfile.write(f"{len(line.encode()):x}\r\n{line}\r\n".encode())
            self.wfile.flush()
        self.close_connection = True

    def _events(self, lines: list[str], content_type: str = "text/event-stream", pause: float = 0) -> None:
        """A streamed answer, one chunk per line (`pause` seconds apart), on a connection that stays
        open for the next request, as the providers' own servers stream."""
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for index, line in enumerate(lines):
            if index and pause:
                time.sleep(pause)
            self.wfile.write(f"{len(line.encode()):x}\r\n{line}\r\n".encode())
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(JSONHandler):
        def answer(self, reply: dict[str, Any], body: dict[str, Any]) -> None:
            if reply["kind"] == "error":
                self._json(reply["status"], {"error": {"message": reply["message"], "type": "test"}},
                           reply.get("headers"))
            elif reply["kind"] == "embeddings":
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                self._json(200, {"object": "list", "model": body.get("model"),
                                 "data": [{"object": "embedding", "index": i, "embedding": vector(text)}
                                          for i, text in enumerate(inputs)],
                                 "usage": {"prompt_tokens": sum(len(t.split()) for t in inputs), "total_tokens": 0}})
            elif reply["kind"] == "image":
                item = {"b64_json": reply["b64"]} if reply["b64"] else {"url": reply["url"]}
                self._json(200, {"created": 0, "data": [item]})
            elif reply["kind"] == "broken":
                self._broken([f"data: {json.dumps({'choices': [{'index': 0, 'delta': delta}]})}\n\n"
                              for delta in _deltas({**reply, "kind": "text"})[:2]])
            elif body.get("stream"):
                self._stream(reply, body)
            else:
                self._json(200, _completion(reply, body))

        def _stream(self, reply: dict[str, Any], body: dict[str, Any]) -> None:
            chunks = [{"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}
                      for delta in _deltas(reply)]
            if (body.get("stream_options") or {}).get("include_usage"):
                sent, answered = usage(body, reply.get("content") or "")
                chunks.append({"object": "chat.completion.chunk", "choices": [],
                               "usage": {"prompt_tokens": sent, "completion_tokens": answered}})
            self._events([f"data: {json.dumps(chunk)}\n\n" for chunk in chunks] + ["data: [DONE]\n\n"],
                         pause=reply.get("chunk_delay", 0))

    Handler.fake = fake
    return Handler


def usage(body: Mapping[str, Any], content: str) -> tuple[int, int]:
    """Token counts the fakes report: words sent and words answered."""
    return len(json.dumps(body.get("messages") or body.get("contents") or "").split()), len(content.split())


def _completion(reply: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    if reply["kind"] == "tools":
        message["tool_calls"] = [{"id": c["id"], "type": "function",
                                  "function": {"name": c["name"], "arguments": c["arguments"]}}
                                 for c in reply["calls"]]
    sent, answered = usage(body, reply.get("content") or "")
    return {"id": "chatcmpl-test", "object": "chat.completion", "model": MODEL,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": sent, "completion_tokens": answered, "total_tokens": sent + answered}}


def _deltas(reply: dict[str, Any]) -> list[dict[str, Any]]:
    if reply["kind"] == "tools":
        return [{"tool_calls": [{"index": i, "id": c["id"], "type": "function",
                                 "function": {"name": c["name"], "arguments": c["arguments"]}}]}
                for i, c in enumerate(reply["calls"])]
    # Word by word, each chunk keeping its trailing space, so the chunks add up to the answer.
    return [{"role": "assistant", "content": piece} for piece in re.findall(r"\S+\s*|\s+", reply["content"])]
