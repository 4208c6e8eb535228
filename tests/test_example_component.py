"""The README's example component package works as documented: installed, found, run by a worker."""

from __future__ import annotations

import flowkit


async def test_example_reverse_component_runs_in_a_flow(service, client):
    export = flowkit.export("Reverse", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": ""}),
        flowkit.node("ReverseText-b", "ReverseText", {"input_value": ""}, outputs=("text",)),
        flowkit.node("ChatOutput-c", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-a", "message", "ReverseText-b", "input_value"),
        flowkit.edge("ReverseText-b", "text", "ChatOutput-c", "input_value")])
    flow = await service.flow(client, export)
    body = (await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-a.input_value": "sluice"}})).json()
    assert body["status"] == "completed"
    assert body["outputs"]["ChatOutput-c"]["content"] == "eciuls"
