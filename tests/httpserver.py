"""A small real HTTP server on loopback (IPv4 and IPv6) for tests of components that fetch URLs.

Routes: `/json` (a JSON document echoing the request), `/text`, `/big` (2 MB), `/slow` (answers
after 3 s), `/redirect?to=URL` (302), `/site/` and the pages it links to (HTML for crawling).
Every request is recorded in `requests` as (method, path, headers, body).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAGES = {
    "/site/": ("Home", '<p>Welcome home.</p><a href="/site/a">A</a> <a href="b">B</a> '
                       '<a href="/elsewhere">out</a><script>var hidden = 1;</script>'),
    "/site/a": ("Page A", "<h2>Alpha</h2><p>Alpha <b>text</b>.</p>"),
    "/site/b": ("Page B", '<p>Beta text.</p><a href="/site/c">C</a>'),
    "/site/c": ("Page C", "<p>Gamma text.</p>"),
    "/elsewhere": ("Outside", "<p>Outside text.</p>"),
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _record(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.owner.requests.append((self.command, self.path, dict(self.headers.items()), body))
        return body

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(self._record())

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _answer(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/json":
            document = {"method": self.command, "query": parse_qs(parts.query), "body": body.decode(),
                        "host": self.headers.get("host"), "user_agent": self.headers.get("user-agent")}
            self._send(200, json.dumps(document).encode(), "application/json")
        elif parts.path == "/text":
            self._send(200, b"plain words", "text/plain; charset=utf-8")
        elif parts.path == "/big":
            self._send(200, b"x" * 2_000_000, "text/plain")
        elif parts.path == "/slow":
            time.sleep(3)
            self._send(200, b"late", "text/plain")
        elif parts.path == "/redirect":
            self._send(302, b"", "text/plain", {"Location": parse_qs(parts.query)["to"][0]})
        elif parts.path in PAGES:
            title, content = PAGES[parts.path]
            page = (f'<html lang="en"><head><title>{title}</title><meta name="description" content="About {title}">'
                    f"</head><body>{content}</body></html>")
            self._send(200, page.encode(), "text/html; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a /slow request still sleeping must not hold up the test's end

    def __init__(self, owner: LocalServer, family: socket.AddressFamily, host: str) -> None:
        self.address_family = family
        self.owner = owner
        super().__init__((host, 0), _Handler)


class LocalServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self._servers = [_Server(self, socket.AF_INET, "127.0.0.1"), _Server(self, socket.AF_INET6, "::1")]

    @property
    def port(self) -> int:
        return self._servers[0].server_address[1]

    @property
    def port6(self) -> int:
        return self._servers[1].server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        port = self.port6 if host == "[::1]" else self.port
        return f"http://{host}:{port}{path}"

    def start(self) -> None:
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


@contextmanager
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
