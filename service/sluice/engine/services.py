"""What a worker shares with the components of every job it runs.

Settings, the HTTP clients, the key that opens secrets and the ways to reach Sluice's own storage
(`save_file`, `read_variable`, `read_upload`, `knowledge`) are made once per worker process. The
engine knows storage only by these protocols: the worker hands in implementations over PostgreSQL
(sluice/worker/storage.py).
A graph run in-process without a database (the bench, unit tests) gets none: its chat history lives
in memory, and components that need storage say so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Protocol
from uuid import UUID

import httpx

from sluice.config import Settings
from sluice.crypto import Cipher
from sluice.engine.history import History, LocalHistory
from sluice.engine.network import GuardedTransport, NetworkPolicy
from sluice.models import KnowledgeBase, KnowledgeChunk, KnowledgeHit, StoredMessage

# Model APIs can be slow to answer; a component passes its own timeout where it has one.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def _no_cookies() -> CookieJar:
    # The clients are shared by every job of the worker: a cookie one job receives must not ride along
    # on another owner's requests.
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class SaveFile(Protocol):
    def __call__(self, *, file_id: UUID, owner: str, job_id: UUID, name: str, mime_type: str,
                 content: bytes) -> Awaitable[None]: ...


class ReadVariable(Protocol):
    def __call__(self, owner: str, name: str) -> Awaitable[str | None]:
        """The owner's stored global variable, None when there is none by that name."""
        ...


class ReadUpload(Protocol):
    def __call__(self, owner: str, file_id: UUID) -> Awaitable[tuple[str, bytes] | None]:
        """The name and content of a file the owner stored, None when the owner has none of that id."""
        ...


class Knowledge(Protocol):
    """An owner's knowledge bases: found by name or id (another owner's are never found), filled, searched."""

    def find(self, owner: str, name: str) -> Awaitable[KnowledgeBase | None]: ...

    def read(self, owner: str, base_id: UUID) -> Awaitable[KnowledgeBase | None]: ...

    def add_chunks(self, base: KnowledgeBase, chunks: Sequence[KnowledgeChunk]) -> Awaitable[int]: ...

    def search(self, base: KnowledgeBase, query: Sequence[float], top_k: int,
               metadata_filter: Mapping[str, Sequence[str]] | None = None) -> Awaitable[list[KnowledgeHit]]: ...

    def existing_identifiers(self, base: KnowledgeBase, identifiers: Sequence[str]) -> Awaitable[set[str]]: ...

    def memory_base(self, owner: str, flow_id: UUID, name: str, embedding_provider: str,
                    embedding_model: str) -> Awaitable[KnowledgeBase]:
        """The flow's memory base of that name, made with the embedding model when it has none yet."""
        ...

    def pending_memories(self, base: KnowledgeBase, limit: int) -> Awaitable[list[StoredMessage]]:
        """The chat messages of the memory base's flow that it does not hold yet, oldest first."""
        ...

    def remember(self, base: KnowledgeBase, chunks: Sequence[tuple[int, KnowledgeChunk]]) -> Awaitable[int]:
        """Store chunks of messages (with their message ids) and move the memory base past them."""
        ...


class Services:
    def __init__(self, settings: Settings | None = None, *, save_file: SaveFile | None = None,
                 read_variable: ReadVariable | None = None, read_upload: ReadUpload | None = None,
                 knowledge: Knowledge | None = None,
                 unavailable: tuple[type[BaseException], ...] = (), runs_at_once: int = 20) -> None:
        # In-process runs (the bench, unit tests) read their settings from the environment too.
        self.settings = settings or Settings.from_env(need_database=False)
        self.save_file = save_file
        self.read_variable = read_variable
        self.read_upload = read_upload
        self.knowledge = knowledge
        # Failures that mean Sluice's own storage is out of reach: no fault of the flow, so they end
        # the attempt (the job is run again) instead of failing the job.
        self.unavailable = unavailable
        # Chat history of runs that bring none of their own: in-process runs. A worker gives each run a
        # DatabaseHistory, whose messages go with the job's final write.
        self.history: History = LocalHistory()
        # None without SLUICE_SECRET_KEY: stored and per-run variables then cannot be opened.
        self.cipher = Cipher(self.settings.secret_key) if self.settings.secret_key else None
        # Sluice's own database stays out of reach, whatever SLUICE_ALLOWED_HOSTS lists.
        self.network = NetworkPolicy.allowing(self.settings.allowed_hosts,
                                              (self.settings.database_url, self.settings.listen_url))
        # As many connections are kept open between calls as runs share the clients (a worker's
        # concurrency), and none are refused: with httpx's defaults (20 kept, 100 at most) the runs
        # of a busy worker waited for a connection, and each call past the 20th opened a new one
        # (with TLS, a handshake), whose remains waited for the cycle collector once it closed.
        self._limits = httpx.Limits(max_connections=None, max_keepalive_connections=runs_at_once)
        self._http: httpx.AsyncClient | None = None
        self._public_http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """For endpoints the operator configured (a model API's base URL): no address checks."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, limits=self._limits, cookies=_no_cookies())
        return self._http

    @property
    def public_http(self) -> httpx.AsyncClient:
        """For URLs that come from a flow or a run's inputs: reaches only what the network policy allows."""
        if self._public_http is None:
            self._public_http = httpx.AsyncClient(
                transport=GuardedTransport(self.network, self._limits), timeout=DEFAULT_TIMEOUT,
                cookies=_no_cookies(),
            )
        return self._public_http

    async def aclose(self) -> None:
        for client in (self._http, self._public_http):
            if client is not None:
                await client.aclose()
        self._http = self._public_http = None
