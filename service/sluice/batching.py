"""Batching: what many tasks of one process ask of the database at about the same time goes in one
statement. For writes this is group commit (the API's job inserts, a worker's job transitions);
for reads, one query answers every sync waiter that one NOTIFY woke.

A call never waits for company: a batch leaves as soon as the event loop gets to it, with what
arrived until then, and calls that arrive while it is in the database go together in the next one.
Under load this turns many small statements into a few larger ones (one round trip each, and for
writes one commit and one NOTIFY); alone, a call costs what a statement of its own would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _no_key(_item: object) -> None:
    return None


class Batcher(Generic[T, R]):
    """Feeds items to `run` in batches of at most `max_batch`; `run` answers one result per item,
    in order. Items with the same non-None `key` never share a batch (a statement that
    upserts on that key could not touch one row twice). If `run` raises, every item of its batch
    gets the exception."""

    def __init__(self, run: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *, max_batch: int,
                 key: Callable[[T], Hashable | None] = _no_key) -> None:
        self._run = run
        self._max_batch = max_batch
        self._key = key
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        while self._pending:
            batch = self._next_batch()
            try:
                results = await self._run([item for item, _ in batch])
            except asyncio.CancelledError:
                for _, done in (*batch, *self._pending):
                    done.cancel()
                self._pending = []
                raise
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)

    def _next_batch(self) -> list[tuple[T, asyncio.Future[R]]]:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        later: list[tuple[T, asyncio.Future[R]]] = []
        keys: set[Hashable] = set()
        for entry in self._pending:
            key = self._key(entry[0])
            if len(batch) == self._max_batch or (key is not None and key in keys):
                later.append(entry)
                continue
            if key is not None:
                keys.add(key)
            batch.append(entry)
        self._pending = later
        return batch
