"""Batch Run: the model answers once per row of a table; the answers become a new column.

With a column name, that column's text is the user message; without one, the whole row is, as TOML
(as in Langflow). Rows are sent concurrently, a few at a time, and keep their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import tomli_w

from sluice.engine import llm
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, DataFrame, to_text

CONCURRENCY = 8


class BatchRun(Component):
    secret_fields = llm.KEY_FIELDS

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        model = llm.model_from_params(params, context.settings, node_type=node.type)
        rows = _rows(params.get("df"))
        column = to_text(params.get("column_name")).strip()
        if column and rows and not any(column in row for row in rows):
            raise ComponentError(f"the table has no column {column!r}.")
        system = to_text(params.get("system_message"))
        texts = [to_text(row.get(column)) if column else _toml(row) for row in rows]
        gate = asyncio.Semaphore(CONCURRENCY)

        async def answer(text: str) -> str:
            async with gate:
                return (await llm.chat(llm.client(context, model), model, llm.conversation(system, text))).content

        answers = await asyncio.gather(*(answer(text) for text in texts))
        target = to_text(params.get("output_column_name")).strip() or "model_response"
        results = []
        for index, (row, text, reply) in enumerate(zip(rows, texts, answers, strict=True)):
            result = {**row, target: reply, "batch_index": index}
            if params.get("enable_metadata") is True:
                result["metadata"] = {"has_system_message": bool(system), "input_length": len(text),
                                      "response_length": len(reply), "processing_status": "success"}
            results.append(result)
        return {"batch_results": DataFrame(tuple(results))}


def _rows(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, DataFrame):
        return [dict(row) for row in value.rows]
    if isinstance(value, Data):
        return [dict(value.data)]
    if isinstance(value, list | tuple) and all(isinstance(item, Data | Mapping) for item in value):
        return [dict(item.data) if isinstance(item, Data) else dict(item) for item in value]
    raise ComponentError("the DataFrame input is missing: connect a table to Batch Run.")


def _toml(row: Mapping[str, Any]) -> str:
    return tomli_w.dumps({str(name): {"value": to_text(value)} for name, value in row.items()})
