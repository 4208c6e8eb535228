"""URL: fetches web pages (through the guarded fetcher) and returns their text.

A minimal version, for the Agent's tool flows: it fetches the given pages themselves (no crawling
past depth 1) and returns one row per page, like Langflow's `page_results`, and their joined text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine import web
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import DataFrame, Message, to_text

DEFAULT_TIMEOUT = 30.0


class URL(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        urls = list(dict.fromkeys(_urls(params.get("urls"))))
        if not urls:
            raise ComponentError("no URL was given.")
        timeout = float(params.get("timeout") or DEFAULT_TIMEOUT)
        headers = {str(row["key"]): str(row["value"]) for row in params.get("headers") or ()
                   if isinstance(row, Mapping) and row.get("key") and row.get("value") is not None}
        pages = []
        for url in urls:
            try:
                pages.append(await _page(url, timeout, headers, str(params.get("format") or "Text")))
            except web.BlockedAddress:
                raise
            except ComponentError:
                if params.get("continue_on_failure") is False:
                    raise
        if not pages:
            raise ComponentError("no page could be loaded from the given URLs.")
        return {"page_results": DataFrame(tuple(pages)),
                "raw_results": Message(text="\n\n".join(page["text"] for page in pages), sender="Machine")}


def _urls(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    found = []
    for item in items:
        text = to_text(item).strip()
        if text:
            found.append(text if text.startswith(("http://", "https://")) else f"https://{text}")
    return found


async def _page(url: str, timeout: float, headers: Mapping[str, str], form: str) -> dict[str, str]:
    page = await web.get(url, timeout, headers)
    text, title = page.text, ""
    if "html" in page.content_type and form != "HTML":
        text, title = web.html_text(page.text)
    return {"text": text, "url": page.url, "title": title, "description": "", "content_type": page.content_type,
            "language": ""}
