"""Current Date: the date and time now, in a named timezone (UTC by default)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


class CurrentDate(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        name = to_text(params.get("timezone")).strip() or "UTC"
        try:
            now = datetime.now(ZoneInfo(name)).strftime("%Y-%m-%d %H:%M:%S %Z")
        except (ZoneInfoNotFoundError, ValueError):
            return {"current_date": Message(text=f"Error: unknown timezone {name!r}.", sender="Machine")}
        return {"current_date": Message(text=f"Current date and time in {name}: {now}", sender="Machine")}
