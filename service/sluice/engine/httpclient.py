"""One pooled HTTP client per event loop, shared by the components that call out (models, web pages).

Creating an httpx client costs tens of milliseconds (it loads the TLS trust store), more than a
local model takes to answer, so components borrow this one and pass their own URL, headers and
timeout with each request.
"""

from __future__ import annotations

import asyncio
import weakref

import httpx

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = weakref.WeakKeyDictionary()


def shared() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None or client.is_closed:
        client = _clients[loop] = httpx.AsyncClient(follow_redirects=False)
    return client
