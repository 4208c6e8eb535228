"""Runs a flow export in this process, as the bench does: the real engine and components, no worker."""

from __future__ import annotations

import uuid
from typing import Any

from sluice.engine.context import RunContext
from sluice.engine.graph import parse_graph
from sluice.engine.inputs import group_overrides
from sluice.engine.runner import run_graph
from sluice.engine.services import Services
from sluice.models import ComponentOutput


async def run(export: dict[str, Any], inputs: dict[str, Any] | None = None, services: Services | None = None,
              owner: str = "tester", session_id: str | None = None) -> dict[str, ComponentOutput]:
    graph = parse_graph(export)
    job_id = uuid.uuid4()
    context = RunContext(job_id=job_id, owner=owner, flow_id=uuid.uuid4(), session_id=session_id or str(job_id),
                         services=services or Services())
    return await run_graph(graph, group_overrides(graph, inputs or {}), context)
