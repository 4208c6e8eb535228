"""A small HTTP/1.1 keep-alive load generator on asyncio streams.

A general-purpose client (httpx) spends about as long per request as the server under test does,
on the same two cores, and would blur the comparison; this one only writes a request and reads a
response (Content-Length or chunked) per call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence

from bench.stats import latency_summary


class Connection:
    def __init__(self, host: str, port: int, headers: Mapping[str, str]) -> None:
        self.host = host
        self.port = port
        self._headers = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._reader: asyncio.StreamReader
        self._writer: asyncio.StreamWriter

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        try:
            return await self._exchange(method, path, body)
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError):
            # A server may close a keep-alive connection (lfx serve's gunicorn recycles its workers
            # every ~1,000 requests by default): reconnect and send again, as any client would.
            await self.open()
            return await self._exchange(method, path, body)

    async def _exchange(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self._headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self._writer.write(head.encode() + body)
        status_and_headers = await self._reader.readuntil(b"\r\n\r\n")
        lines = status_and_headers.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return status, await self._chunks()
        return status, await self._reader.readexactly(int(headers.get("content-length", "0")))

    async def _chunks(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self._reader.readexactly(size + 2))
            if size == 0:
                return b"".join(parts)[:-2]


Check = "Callable[[int, bytes], bool]"


async def sequential(connection: Connection, path: str, body: bytes, count: int) -> dict[str, float]:
    """`count` requests one after the other on one connection: latency summary."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        status, answer = await connection.request("POST", path, body)
        samples.append((time.perf_counter() - started) * 1000)
        _expect(status, answer)
    return latency_summary(samples)


async def concurrent(
    connections: Sequence[Connection], path: str, bodies: Sequence[bytes] | bytes, count: int
) -> dict[str, float]:
    """`count` requests shared by the connections, each sending its next request when the last is
    answered: requests/s over the whole, and the latency summary."""
    samples: list[float] = []
    remaining = count

    async def client(connection: Connection) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            body = bodies if isinstance(bodies, bytes) else bodies[remaining]
            started = time.perf_counter()
            status, answer = await connection.request("POST", path, body)
            samples.append((time.perf_counter() - started) * 1000)
            _expect(status, answer)

    started = time.perf_counter()
    await asyncio.gather(*(client(connection) for connection in connections))
    elapsed = time.perf_counter() - started
    return {"requests_per_s": count / elapsed, "seconds": elapsed, **latency_summary(samples)}


def _expect(status: int, answer: bytes) -> None:
    if status != 200:
        raise RuntimeError(f"the server answered {status}: {answer[:300]!r}")


async def connections(host: str, port: int, headers: Mapping[str, str], count: int) -> list[Connection]:
    return [await Connection(host, port, headers).open() for _ in range(count)]
