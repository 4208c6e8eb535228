"""Webhook: the payload a caller sends (the `data` field, usually set by the run's inputs) as a Data.

JSON objects become the Data's keys; other JSON values and text that is not JSON are kept under
`payload`; an empty payload gives an empty Data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, to_text


def payload_data(payload: Any) -> Data:
    if isinstance(payload, Mapping):
        return Data(dict(payload))
    text = to_text(payload).strip()
    if not text:
        return Data({})
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return Data({"payload": text})
    return Data(parsed) if isinstance(parsed, dict) else Data({"payload": parsed})


class Webhook(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        return {"output_data": payload_data(params.get("data"))}
