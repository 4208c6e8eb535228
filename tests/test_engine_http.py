"""A loop flow and an If-Else flow run through real HTTP, a real worker process and PostgreSQL."""

from __future__ import annotations

import pytest

import flowkit

OPERATOR_CASES = [
    ("equals", "yes", "YES", "ChatOutput-yes"),
    ("not equals", "yes", "no", "ChatOutput-yes"),
    ("contains", "a big cat", "cat", "ChatOutput-yes"),
    ("does not contain", "a big cat", "cat", "ChatOutput-no"),
    ("starts with", "hello world", "hello", "ChatOutput-yes"),
    ("ends with", "hello world", "hello", "ChatOutput-no"),
    ("regex", "order 42", r"^order \d+$", "ChatOutput-yes"),
    ("less than", "5", "4", "ChatOutput-no"),
    ("greater than", "5", "4", "ChatOutput-yes"),
]


async def test_loop_flow_visits_every_item_in_order(service, client):
    flow = await service.flow(client, flowkit.loop_flow())
    response = await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-in.input_value": "one,two,three,four,five"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed", body["errors"]
    assert body["outputs"]["ChatOutput-out"]["content"] == "item one | item two | item three | item four | item five"


@pytest.mark.parametrize(("operator", "text", "match", "branch"), OPERATOR_CASES)
async def test_if_else_takes_the_right_branch(service, client, operator, text, match, branch):
    flow = await service.flow(client, flowkit.if_else_flow(f"IfElse {operator}"))
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {
        "ChatInput-in.input_value": text, "ConditionalRouter-r.match_text": match,
        "ConditionalRouter-r.operator": operator}})
    assert response.status_code == 200, response.text
    outputs = response.json()["outputs"]
    other = ({"ChatOutput-yes", "ChatOutput-no"} - {branch}).pop()
    assert outputs[branch]["status"] == "completed"
    assert outputs[branch]["content"] == (text if branch == "ChatOutput-yes" else f"{text} (no)")
    assert outputs[other]["status"] == "skipped"
