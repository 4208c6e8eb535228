"""Runs a fidelity case on Sluice's engine in-process, as a worker runs a job (chat history in memory)."""

from __future__ import annotations

import uuid
from typing import Any

from sluice.engine.context import RunContext
from sluice.engine.graph import parse_graph
from sluice.engine.inputs import group_overrides
from sluice.engine.runner import FlowFailed, run_graph
from sluice.engine.services import Services

OWNER = "fidelity"


async def run_turns(flow: dict[str, Any], turns: tuple[str, ...], session: str, services: Services,
                    before_turn: Any = None) -> list[dict[str, Any]]:
    """Each turn's ChatOutput texts by node id (or the error), all turns in one session."""
    graph = parse_graph(flow)
    flow_id = uuid.uuid4()
    results = []
    for index, text in enumerate(turns):
        if before_turn is not None:
            before_turn(index)
        chat_inputs = [node.id for node in graph.nodes.values() if node.type == "ChatInput"]
        overrides = group_overrides(graph, {f"{node_id}.input_value": text for node_id in chat_inputs})
        context = RunContext(job_id=uuid.uuid4(), owner=OWNER, flow_id=flow_id, session_id=session,
                             services=services)
        try:
            outputs = await run_graph(graph, overrides, context)
        except FlowFailed as failure:
            results.append({"error": failure.message})
            continue
        results.append({"outputs": {node_id: _text(output.content) for node_id, output in outputs.items()
                                    if node_id.startswith("ChatOutput")}})
    return results


def _text(content: Any) -> str:
    if isinstance(content, dict):
        return str(content.get("text", content))
    return "" if content is None else str(content)
