"""API Request (`APIRequest`) and URL (`URLComponent`): HTTP requests to addresses a flow supplies.

Both go through the worker's guarded client (`context.public_http`): private, loopback and
link-local addresses are refused unless listed in SLUICE_ALLOWED_HOSTS, checked on the address each
connection actually goes to (redirects and crawled links included). Each request must finish within
the node's `timeout`, and a body larger than SLUICE_FETCH_MAX_BYTES is refused.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urldefrag, urljoin, urlsplit

import attrs
import httpx
from bs4 import BeautifulSoup
from markdownify import markdownify

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.network import BlockedAddress
from sluice.engine.values import Data, DataFrame, Message, to_text

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
DEFAULT_TIMEOUT = 30.0
# A crawl (URL component, depth > 1) fetches at most this many pages, this many at a time.
MAX_PAGES = 100
CONCURRENT_PAGES = 8
# Content types read as text; anything else is binary (API Request returns it base64-encoded).
_TEXTUAL = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded")
_NOT_PAGE_TEXT = ("text/css", "text/javascript")
_BLOCKS = ("title", "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
           "section", "article", "header", "footer", "nav", "ul", "ol", "table", "hr", "dt", "dd")


@attrs.frozen
class Page:
    url: str  # after redirects
    status_code: int
    headers: Mapping[str, str]  # names in lower case
    content: bytes
    encoding: str
    redirects: tuple[tuple[str, int], ...] = ()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").partition(";")[0].strip().lower()

    @property
    def is_text(self) -> bool:
        return not self.content_type or any(part in self.content_type for part in _TEXTUAL)

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")


def checked_url(raw: Any) -> str:
    """A URL to request: `https://` is assumed without a scheme, as Langflow does; only http(s)."""
    url = to_text(raw).strip()
    if not url:
        raise ComponentError("No URL was given.")
    if "://" not in url:
        url = "https://" + url
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise ComponentError(f"Invalid URL provided: {url}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ComponentError(f"Invalid URL provided: {url} (only http and https URLs are supported).")
    return url


async def fetch(context: RunContext, method: str, url: str, *, timeout: float, headers: Mapping[str, str] | None = None,
                query: Mapping[str, Any] | None = None, body: Any = None, follow_redirects: bool = False) -> Page:
    """One request through the guarded client, done within `timeout` seconds in all (a server that
    trickles bytes cannot hold it longer), its body capped at SLUICE_FETCH_MAX_BYTES after decompression."""
    client = context.public_http
    limit = context.settings.fetch_max_bytes
    async with asyncio.timeout(timeout):
        # Merged into the URL's own query string (httpx's `params` would replace it).
        target = httpx.URL(url).copy_merge_params(query) if query else url
        request = client.build_request(method, target, headers=headers, json=body, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=follow_redirects)
        try:
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > limit:
                    raise ComponentError(
                        f"The response from {url} is larger than {limit} bytes (SLUICE_FETCH_MAX_BYTES)."
                    )
        finally:
            await response.aclose()
    return Page(
        url=str(response.url),
        status_code=response.status_code,
        headers={name.lower(): value for name, value in response.headers.items()},
        content=bytes(content),
        encoding=response.charset_encoding or "utf-8",
        redirects=tuple((str(hop.headers.get("location", hop.url)), hop.status_code) for hop in response.history),
    )


def _seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT
    return seconds if seconds > 0 else DEFAULT_TIMEOUT


def _depth(value: Any) -> int:
    """The crawl depth, 1 (the page alone) to 5, as Langflow's slider allows."""
    try:
        return min(max(int(value), 1), 5)
    except (TypeError, ValueError):
        return 1


def _pairs(value: Any) -> dict[str, str]:
    """Headers from a table of `{key, value}` rows, an object, a Data or a JSON text."""
    if isinstance(value, Data):
        value = value.data
    if isinstance(value, str | Message):
        try:
            value = json.loads(to_text(value) or "{}")
        except ValueError:
            raise ComponentError("The headers must be a table of key/value rows or a JSON object.") from None
    if isinstance(value, Mapping):
        return {str(key): str(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return {str(row["key"]): str(row["value"]) for row in value
                if isinstance(row, Mapping) and row.get("key") and row.get("value") is not None}
    return {}


def _parsed(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _body(value: Any) -> dict[str, Any]:
    """The JSON body, read as Langflow's API Request reads it (key/value rows, object, Data, JSON text)."""
    if isinstance(value, Data):
        value = dict(value.data)
    if isinstance(value, Message):
        value = value.text
    if isinstance(value, str):
        if not value.strip():
            return {}
        parsed = _parsed(value)
        return {"data": value} if isinstance(parsed, str) else _body(parsed)
    if isinstance(value, Mapping):
        return {str(key): _parsed(item) for key, item in value.items()}
    if isinstance(value, list):
        body: dict[str, Any] = {}
        for row in value:
            row = row.data if isinstance(row, Data) else row
            if isinstance(row, Mapping) and "key" in row and "value" in row:
                body[str(row["key"])] = _parsed(row["value"])
            elif isinstance(row, Mapping):
                return dict(row)
        return body
    return {}


def _query(value: Any) -> dict[str, Any]:
    if isinstance(value, Data):
        return dict(value.data)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str | Message):
        return dict(parse_qsl(to_text(value)))
    return {}


def _result(page: Page) -> Any:
    if not page.is_text:
        return base64.b64encode(page.content).decode()
    try:
        return json.loads(page.content)
    except ValueError:
        return page.text


class APIRequest(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        method = (to_text(params.get("method")) or "GET").upper()
        if method not in METHODS:
            raise ComponentError(f"Unsupported method: {method} (use one of {', '.join(METHODS)}).")
        if params.get("save_to_file"):
            raise ComponentError("Save to File is not available here: connect a Write File node to the response.")
        # 1.x exports name one `url_input`; older ones a list of `urls`, answered with a list.
        raw_urls = [params["url_input"]] if params.get("url_input") else list(params.get("urls") or [])
        if not raw_urls:
            raise ComponentError("No URL was given: set `url_input`.")
        headers = _pairs(params.get("headers"))
        request = {
            "timeout": _seconds(params.get("timeout")),
            "headers": headers,
            "query": _query(params.get("query_params")),
            "body": _body(params.get("body")) if method != "GET" else None,
            "follow_redirects": bool(params.get("follow_redirects", False)),
        }
        results = []
        for raw in raw_urls:
            data = await _request(context, method, checked_url(raw), request)
            if params.get("include_httpx_metadata"):
                data["headers"] = headers
            results.append(Data(data))
        return {"data": results[0] if len(results) == 1 else results}


async def _request(context: RunContext, method: str, url: str, request: Mapping[str, Any]) -> dict[str, Any]:
    try:
        page = await fetch(context, method, url, **request)
    except (httpx.HTTPError, TimeoutError) as error:
        # As in Langflow, a request that fails on the network is an answer (status 500 with the
        # error), not a failed flow; a refused address or an oversized body is a failure.
        return {"source": url, "status_code": 500, "error": str(error) or f"{type(error).__name__} after the timeout"}
    data: dict[str, Any] = {
        "source": url,
        "status_code": page.status_code,
        "response_headers": dict(page.headers),
        "result": _result(page),
    }
    if page.redirects:
        data["redirection_history"] = [{"url": location, "status_code": status} for location, status in page.redirects]
    return data


@attrs.frozen
class _Crawl:
    depth: int
    prevent_outside: bool
    format: str
    timeout: float
    headers: Mapping[str, str]
    continue_on_failure: bool
    check_response_status: bool
    filter_text_html: bool


class URLComponent(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        raw = params.get("urls")
        roots = list(dict.fromkeys(checked_url(url) for url in (raw if isinstance(raw, list) else [raw])
                                   if to_text(url).strip()))
        if not roots:
            raise ComponentError("No valid URLs provided.")
        crawl = _Crawl(
            depth=_depth(params.get("max_depth")),
            prevent_outside=bool(params.get("prevent_outside", True)),
            format=to_text(params.get("format")) or "Text",
            timeout=_seconds(params.get("timeout")),
            headers=_pairs(params.get("headers")),
            continue_on_failure=bool(params.get("continue_on_failure", True)),
            check_response_status=bool(params.get("check_response_status", False)),
            filter_text_html=bool(params.get("filter_text_html", True)),
        )
        rows: list[dict[str, Any]] = []
        for root in roots:
            if len(rows) < MAX_PAGES:
                rows.extend(await _crawl(context, root, crawl, MAX_PAGES - len(rows)))
        if not rows:
            raise ComponentError("No documents were successfully loaded from any URL.")
        table = DataFrame(tuple(rows))
        text = Message(text="\n\n".join(row["text"] for row in rows), sender="Machine", sender_name="AI")
        # Outputs of current exports (page_results, raw_results) and of 1.1-1.4 ones (data, text, dataframe).
        return {"page_results": table, "raw_results": text, "dataframe": table, "text": text,
                "data": [Data(row) for row in rows]}


async def _crawl(context: RunContext, root: str, crawl: _Crawl, budget: int) -> list[dict[str, Any]]:
    """The root page, and with depth > 1 the pages it links to (within the root URL when
    `prevent_outside`), breadth first, at most `budget` pages."""
    gate = asyncio.Semaphore(CONCURRENT_PAGES)

    async def load(url: str, is_root: bool) -> tuple[dict[str, Any], list[str]] | None:
        async with gate:
            return await _load(context, url, crawl, is_root)

    rows: list[dict[str, Any]] = []
    seen = {root}
    level = [root]
    for depth in range(crawl.depth):
        loaded = await asyncio.gather(*(load(url, depth == 0) for url in level))
        following: list[str] = []
        for result in loaded:
            if result is None:
                continue
            row, links = result
            rows.append(row)
            for link in links:
                if link not in seen and (not crawl.prevent_outside or _within(link, root)):
                    seen.add(link)
                    following.append(link)
        level = following[:budget - len(rows)] if depth + 1 < crawl.depth else []
        if not level:
            break
    return rows


def _within(link: str, root: str) -> bool:
    """Whether `link` is under `root`: the same scheme, host and port, and a path the root's begins.
    (A plain prefix test would let `https://a.com` cover `https://a.com.evil/`.)"""
    target, base = urlsplit(link), urlsplit(root)
    return _origin(target) == _origin(base) and target.path.startswith(base.path or "/")


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return (parts.scheme, None, None)
    return (parts.scheme, parts.hostname, port)


async def _load(context: RunContext, url: str, crawl: _Crawl,
                is_root: bool) -> tuple[dict[str, Any], list[str]] | None:
    try:
        page = await fetch(context, "GET", url, timeout=crawl.timeout, headers=crawl.headers, follow_redirects=True)
        if crawl.check_response_status and page.status_code >= 400:
            raise ComponentError(f"{url} answered with status {page.status_code}.")
    except BlockedAddress:
        if is_root:
            raise
        return None  # a link into a private network is not followed
    except (httpx.HTTPError, TimeoutError, ComponentError) as error:
        if crawl.continue_on_failure:
            return None
        raise ComponentError(f"Could not load {url}: {error or type(error).__name__}") from None
    if crawl.filter_text_html and (not page.is_text or page.content_type in _NOT_PAGE_TEXT):
        return None
    return _read_page(page, crawl.format)


def _read_page(page: Page, output_format: str) -> tuple[dict[str, Any], list[str]]:
    row = {"text": page.text, "url": page.url, "title": "", "description": "", "content_type": page.content_type,
           "language": ""}
    if "html" not in page.content_type:
        return row, []
    soup = BeautifulSoup(page.text, "html.parser")
    links = [urldefrag(urljoin(page.url, anchor["href"]))[0] for anchor in soup.find_all("a", href=True)]
    description = soup.find("meta", attrs={"name": "description"})
    row["title"] = soup.title.get_text(strip=True) if soup.title else ""
    row["description"] = str(description.get("content", "")) if description else ""
    row["language"] = str(soup.html.get("lang", "")) if soup.html else ""
    if output_format != "HTML":
        for hidden in soup(["script", "style", "noscript", "template"]):
            hidden.decompose()
        if output_format == "Markdown":
            row["text"] = markdownify(str(soup), heading_style="ATX").strip()
        else:
            for block in soup.find_all(_BLOCKS):
                block.insert_after("\n")  # block elements end lines; inline ones flow on
            lines = (line.strip() for line in soup.get_text().splitlines())
            row["text"] = "\n".join(line for line in lines if line)
    return row, [link for link in links if link.startswith(("http://", "https://"))]
