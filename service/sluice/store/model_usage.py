"""Tokens used by model calls, per provider and model, summed over every worker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from sluice.store.statements import statement


@attrs.frozen
class ModelUsage:
    provider: str
    model: str
    calls: int
    input_tokens: int
    output_tokens: int


async def add(conn: Any, tally: Mapping[tuple[str, str], tuple[int, int, int]]) -> None:
    keys = list(tally)
    await conn.execute(statement("add_model_usage"), [p for p, _ in keys], [m for _, m in keys],
                       *([tally[key][i] for key in keys] for i in range(3)))


async def read(conn: Any) -> list[ModelUsage]:
    return [ModelUsage(**dict(row)) for row in await conn.fetch(statement("model_usage"))]
