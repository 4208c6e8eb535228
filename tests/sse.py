"""Reads server-sent event streams in tests, line by line as a browser's EventSource does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import attrs
import httpx
import orjson


@attrs.frozen
class ServerEvent:
    id: int
    event: str
    data: Any


@attrs.frozen
class Comment:
    text: str


async def _blocks(response: httpx.Response) -> AsyncIterator[dict[str, str] | Comment]:
    """Each event's fields, and comment lines, in the order they arrive, until the server closes."""
    assert response.status_code == 200, (await response.aread()).decode()
    assert response.headers["content-type"].startswith("text/event-stream")
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if fields:
                yield fields
                fields = {}
        elif line.startswith(":"):
            yield Comment(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            assert name not in fields, f"field {name} repeated in one event"
            fields[name] = value.removeprefix(" ")
    assert not fields, "the stream ended inside an event"


async def items(response: httpx.Response) -> AsyncIterator[ServerEvent | Comment]:
    """Events and comment lines, in the order they arrive, until the server closes the stream."""
    async for block in _blocks(response):
        if isinstance(block, Comment):
            yield block
        else:
            yield ServerEvent(int(block["id"]), block["event"], orjson.loads(block["data"]))


async def events(response: httpx.Response) -> AsyncIterator[ServerEvent]:
    async for item in items(response):
        if isinstance(item, ServerEvent):
            yield item


async def follow(client: httpx.AsyncClient, job_id: str, *, sequence_id: int | None = None,
                 headers: dict[str, str] | None = None) -> list[ServerEvent]:
    """The whole stream of a job's events, from GET with stream=true, until the server closes it."""
    params: dict[str, Any] = {"job_id": job_id, "stream": "true"}
    if sequence_id is not None:
        params["sequence_id"] = sequence_id
    async with client.stream("GET", "/api/v2/workflows", params=params, headers=headers) as response:
        return [event async for event in events(response)]


@attrs.frozen
class Frame:
    """An event of a stream in Langflow 1.13's framing: `data:` always, `id:` on some."""

    id: int | None
    data: Any


async def frames(response: httpx.Response) -> AsyncIterator[Frame | Comment]:
    """Langflow 1.13 frames and comment lines, in order, until the server closes the stream."""
    async for block in _blocks(response):
        if isinstance(block, Comment):
            yield block
        else:
            assert set(block) <= {"id", "data"}, block
            yield Frame(int(block["id"]) if "id" in block else None, orjson.loads(block["data"]))
