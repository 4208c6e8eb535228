"""Hostile and malformed input: each gets a clear 400 or a cleanly failed job, and the service keeps
serving. (Fuzzing of every route is in test_openapi.py; SSRF forms in test_network.py; SQL injection
through the SQL component's parameters in test_sql.py.)"""

from __future__ import annotations

import pytest

import flowkit

INPUT = "ChatInput-echo.input_value"


async def assert_still_serving(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    body = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {INPUT: "alive"}})).json()
    assert body["outputs"]["ChatOutput-echo"]["content"] == "alive"


async def test_deeply_nested_json_is_a_400(service, client):
    nested = b'{"flow_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = await client.post("/api/v2/workflows", content=nested, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_JSON"
    await assert_still_serving(service, client)


async def test_huge_and_exotic_strings_run_through_unchanged(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    for text in ["x" * 2_000_000, "emoji 🚀 rtl \u202e ‮ zero-width \u200b and 漢字", "{0.__class__} {x.__init__}"]:
        body = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {INPUT: text}})).json()
        assert body["status"] == "completed"
        assert body["outputs"]["ChatOutput-echo"]["content"] == text


async def test_format_string_attacks_in_templates_are_plain_text(service, client):
    export = flowkit.export("Template attack", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": ""}),
        flowkit.node("Prompt-b", "Prompt", {"template": "{question.__class__} {0.__init__.__globals__} {question}",
                                            "question": ""}, outputs=("prompt",)),
        flowkit.node("ChatOutput-c", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-a", "message", "Prompt-b", "question"),
        flowkit.edge("Prompt-b", "prompt", "ChatOutput-c", "input_value")])
    flow = await service.flow(client, export)
    body = (await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-a.input_value": "hi"}})).json()
    content = body["outputs"]["ChatOutput-c"]["content"]
    # Variables are looked up by name only: `question.__class__` names no variable and renders empty.
    assert content == "  hi"


@pytest.mark.parametrize(("mangle", "named"), [
    (lambda d: d["data"]["edges"].append({"source": "ChatInput-echo", "target": "Ghost-1", "data": {
        "sourceHandle": {"id": "ChatInput-echo", "name": "message"},
        "targetHandle": {"id": "Ghost-1", "fieldName": "input_value"}}}), "Ghost-1"),
    (lambda d: d["data"]["nodes"].append(d["data"]["nodes"][0]), "ChatInput-echo"),
    (lambda d: d["data"].update(nodes="not a list"), None),
    (lambda d: d["data"]["edges"].append({"source": "ChatInput-echo"}), None),
])
async def test_broken_flow_exports_are_refused_with_a_400(service, client, mangle, named):
    export = flowkit.echo_flow()
    mangle(export)
    response = await client.post("/api/v1/flows/", json=export)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "INVALID_FLOW" and isinstance(body["detail"], str)
    if named:
        assert named in body["detail"]
    await assert_still_serving(service, client)


async def test_a_flow_of_ten_thousand_nodes_is_stored_and_runs(service, client):
    count = 10_000
    nodes = [flowkit.node("ChatInput-0", "ChatInput", {"input_value": ""})]
    nodes += [flowkit.node(f"Prompt-{n}", "Prompt", {"template": "{x}", "x": ""}, outputs=("prompt",))
              for n in range(1, count - 1)]
    nodes.append(flowkit.node(f"ChatOutput-{count - 1}", "ChatOutput", {"input_value": ""}))
    edges = [flowkit.edge("ChatInput-0", "message", "Prompt-1", "x")]
    edges += [flowkit.edge(f"Prompt-{n}", "prompt", f"Prompt-{n + 1}", "x") for n in range(1, count - 2)]
    edges.append(flowkit.edge(f"Prompt-{count - 2}", "prompt", f"ChatOutput-{count - 1}", "input_value"))
    flow = await service.flow(client, flowkit.export("Long chain", nodes, edges))
    body = (await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-0.input_value": "through 10,000 nodes"}})).json()
    assert body["status"] == "completed"
    assert body["outputs"][f"ChatOutput-{count - 1}"]["content"] == "through 10,000 nodes"
    await assert_still_serving(service, client)
