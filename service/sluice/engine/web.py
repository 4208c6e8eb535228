"""Fetching pages for flows without letting a flow reach the worker's own network.

A URL whose host resolves to a private, loopback, link-local or otherwise non-public address is
refused unless the host is listed in `SLUICE_ALLOWED_HOSTS` (comma-separated). Redirects are followed
by hand so that each hop is checked the same way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import attrs
import httpx

from sluice.engine import httpclient
from sluice.engine.component import ComponentError

MAX_REDIRECTS = 5
MAX_BYTES = 5_000_000
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg"}


class BlockedAddress(ComponentError):
    pass


def allowed_hosts() -> set[str]:
    return {host.strip().lower() for host in os.environ.get("SLUICE_ALLOWED_HOSTS", "").split(",") if host.strip()}


async def check_url(url: str) -> None:
    """Raise BlockedAddress unless `url` is http(s) to a public address (or an allowed host)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedAddress(f"only http and https URLs can be fetched, not {url!r}.")
    host = parts.hostname.lower()
    if host in allowed_hosts():
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ComponentError(f"cannot resolve the host {host}: {error.strerror}.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise BlockedAddress(
                f"the host {host} is a private or local address ({address}); list it in SLUICE_ALLOWED_HOSTS "
                "to allow it."
            )


@attrs.frozen
class Page:
    url: str
    status: int
    content_type: str
    body: bytes = attrs.field(repr=False)
    text: str = attrs.field(repr=False)


async def get(url: str, timeout: float, headers: Mapping[str, str] | None = None) -> Page:
    """GET a public URL, following checked redirects; ComponentError on any failure."""
    client = httpclient.shared()
    for _ in range(MAX_REDIRECTS + 1):
        await check_url(url)
        try:
            async with client.stream("GET", url, headers=dict(headers or {}), timeout=timeout) as response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("location", ""))
                    continue
                body = await _bounded(url, response)
                return Page(url=str(response.url), status=response.status_code,
                            content_type=response.headers.get("content-type", ""), body=body,
                            text=body.decode(response.encoding or "utf-8", errors="replace"))
        except httpx.TimeoutException:
            raise ComponentError(f"{url} did not answer within {timeout:g} s.") from None
        except httpx.HTTPError as error:
            raise ComponentError(f"could not fetch {url}: {error}.") from None
    raise ComponentError(f"{url} redirects more than {MAX_REDIRECTS} times.")


async def _bounded(url: str, response: httpx.Response) -> bytes:
    """The body, read no further than MAX_BYTES so a huge page cannot exhaust the worker's memory."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            raise ComponentError(f"{url} is larger than {MAX_BYTES} bytes.")
    return bytes(body)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        elif not self._skipping and data.strip():
            self.parts.append(data.strip())


def html_text(html: str) -> tuple[str, str]:
    """The visible text of an HTML page (scripts and styles left out) and its title."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts), parser.title
