"""Web Search (UnifiedWebSearch): DuckDuckGo results (Web), Google News (News) or a feed (RSS).

Fetches go through the guarded fetcher. As in Langflow, a failed request becomes a result row that
describes the error, so an Agent using this tool can carry on without network access.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import unescape
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit
from xml.etree import ElementTree

import httpx

from sluice.engine.component import Component, ComponentError
from sluice.engine.components.web import fetch
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import DataFrame, to_text

DEFAULT_MAX_RESULTS = 5
DEFAULT_CONTENT_LENGTH = 2000
_RESULT = re.compile(r'<a[^>]*class="result__a"[^>]*href="([^"]*)"[^>]*>(.*?)</a>(.*?)(?=<a[^>]*class="result__a"|$)',
                     re.S)
_SNIPPET = re.compile(r'class="result__snippet"[^>]*>(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


class WebSearch(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        mode = to_text(params.get("search_mode")) or "Web"
        query = to_text(params.get("query")).strip()
        limit = _int(params.get("max_results"), DEFAULT_MAX_RESULTS)
        length = _int(params.get("max_content_length"), DEFAULT_CONTENT_LENGTH)
        timeout = float(_int(params.get("timeout"), 5) or 5)
        try:
            if mode == "Web":
                rows = await _web(context, query, timeout)
            else:
                rows = await _feed(context, _news_url(params, query) if mode == "News" else query, timeout)
        except (ComponentError, httpx.HTTPError, OSError, TimeoutError) as error:
            # A failed search is a result row, not a failed flow (an unresolvable host, a refused connection).
            message = str(error) or type(error).__name__
            rows = [{"title": "Error", "link": "", "snippet": message, "content": ""} if mode == "Web"
                    else {"title": "Error", "link": "", "published": "", "summary": message}]
        rows = rows[:limit] if limit else rows
        return {"results": DataFrame(tuple({k: _cut(v, length) for k, v in row.items()} for row in rows))}


async def _web(context: RunContext, query: str, timeout: float) -> list[dict[str, str]]:
    if not query:
        raise ComponentError("the search query is empty.")
    page = await fetch(context, "GET", f"https://html.duckduckgo.com/html/?q={quote_plus(query)}&kl=us-en",
                       timeout=timeout, headers={"User-Agent": "Mozilla/5.0 (compatible; Sluice)"},
                       follow_redirects=True)
    rows = []
    for href, title, rest in _RESULT.findall(page.text):
        target = parse_qs(urlsplit(unescape(href)).query).get("uddg", [unescape(href)])[0]
        snippet = _SNIPPET.search(rest)
        rows.append({"title": _plain(title), "link": target, "snippet": _plain(snippet.group(1)) if snippet else "",
                     "content": ""})
    return rows


def _news_url(params: Mapping[str, Any], query: str) -> str:
    hl = to_text(params.get("hl")) or "en-US"
    gl = to_text(params.get("gl")) or "US"
    suffix = f"hl={hl}&gl={gl}&ceid={gl}:{hl.split('-')[0]}"
    topic, location = to_text(params.get("topic")), to_text(params.get("location"))
    if topic:
        return f"https://news.google.com/rss/headlines/section/topic/{quote_plus(topic.upper())}?{suffix}"
    if location:
        return f"https://news.google.com/rss/headlines/section/geo/{quote_plus(location)}?{suffix}"
    if not query:
        raise ComponentError("no search query, topic or location was given.")
    return f"https://news.google.com/rss/search?q={quote_plus(query)}&{suffix}"


async def _feed(context: RunContext, url: str, timeout: float) -> list[dict[str, str]]:
    if not url:
        raise ComponentError("no feed URL was given.")
    page = await fetch(context, "GET", url if "://" in url else f"https://{url}", timeout=timeout,
                       follow_redirects=True)
    try:
        root = ElementTree.fromstring(page.content)
    except ElementTree.ParseError as error:
        raise ComponentError(f"the feed at {url} is not valid XML: {error}.") from None
    return [{"title": _plain(item.findtext("title") or ""), "link": item.findtext("link") or "",
             "published": item.findtext("pubDate") or "", "summary": _plain(item.findtext("description") or "")}
            for item in root.iter("item")]


def _plain(html: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def _cut(value: str, length: int) -> str:
    return value if not length or len(value) <= length else value[: length - 1] + "…"


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
