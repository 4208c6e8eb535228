"""What a worker shares with the components of every job it runs.

Settings, the database pool, the HTTP clients and the key that opens secrets are made once per worker
process. A graph run in-process without a database (the bench, unit tests) gets a set without a
pool: its chat history lives in memory and database-backed components say they need one.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy

import asyncpg
import httpx

from sluice.config import Settings
from sluice.crypto import Cipher
from sluice.engine.history import History, LocalHistory
from sluice.engine.network import GuardedTransport, NetworkPolicy

# Model APIs can be slow to answer; a component passes its own timeout where it has one.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def _no_cookies() -> CookieJar:
    # The clients are shared by every job of the worker: a cookie one job receives must not ride along
    # on another owner's requests.
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class Services:
    def __init__(self, settings: Settings | None = None, pool: asyncpg.Pool | None = None) -> None:
        self.settings = settings or Settings(database_url="")
        self.pool = pool
        # Chat history of runs that bring none of their own: in-process runs. A worker gives each run a
        # DatabaseHistory, whose messages go with the job's final write.
        self.history: History = LocalHistory()
        # None without SLUICE_SECRET_KEY: stored and per-run variables then cannot be opened.
        self.cipher = Cipher(self.settings.secret_key) if self.settings.secret_key else None
        self.network = NetworkPolicy.allowing(self.settings.allowed_hosts)
        self._http: httpx.AsyncClient | None = None
        self._public_http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """For endpoints the operator configured (a model API's base URL): no address checks."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, cookies=_no_cookies())
        return self._http

    @property
    def public_http(self) -> httpx.AsyncClient:
        """For URLs that come from a flow or a run's inputs: reaches only what the network policy allows."""
        if self._public_http is None:
            self._public_http = httpx.AsyncClient(
                transport=GuardedTransport(self.network), timeout=DEFAULT_TIMEOUT, cookies=_no_cookies()
            )
        return self._public_http

    async def aclose(self) -> None:
        for client in (self._http, self._public_http):
            if client is not None:
                await client.aclose()
        self._http = self._public_http = None
