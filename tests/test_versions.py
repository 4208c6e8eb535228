"""Contract, Flows: every stored graph is an immutable version named by a content hash; and
POST /api/v2/workflows `flow_version`: run exactly that version."""

from __future__ import annotations

from datetime import datetime

import flowkit
from jobwait import wait_for_status


def prompt_flow(template: str) -> dict:
    return flowkit.export("Versioned", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": ""}),
        flowkit.node("Prompt-b", "Prompt", {"template": template, "question": ""}, outputs=("prompt",)),
        flowkit.node("ChatOutput-c", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-a", "message", "Prompt-b", "question"),
        flowkit.edge("Prompt-b", "prompt", "ChatOutput-c", "input_value")])


async def run(client, flow_id: str, **extra) -> dict:
    response = await client.post("/api/v2/workflows",
                                 json={"flow_id": flow_id, "inputs": {"ChatInput-a.input_value": "x"}, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def answer(body: dict) -> str:
    return body["outputs"]["ChatOutput-c"]["content"]


async def two_versions(service, client) -> tuple[dict, str, str]:
    created = await service.flow(client, prompt_flow("one: {question}"))
    updated = await client.put(f"/api/v1/flows/{created['id']}", json=prompt_flow("two: {question}"))
    assert updated.status_code == 200
    assert updated.json()["version"] != created["version"]
    return created, created["version"], updated.json()["version"]


async def test_flow_version_pins_exactly_that_version(service, client):
    """Contract: `flow_version` (optional version hash: run exactly that version); updating a flow adds a
    version; old versions stay runnable while jobs or callers pin them."""
    flow, first, second = await two_versions(service, client)
    assert answer(await run(client, flow["id"])) == "two: x"
    pinned = await run(client, flow["id"], flow_version=first)
    assert answer(pinned) == "one: x"
    assert answer(await run(client, flow["id"], flow_version=second)) == "two: x"
    # The endpoint name reaches the same versions.
    assert answer(await run(client, flow["endpoint_name"], flow_version=first)) == "one: x"


async def test_a_job_records_the_version_it_ran(service, client):
    """Contract: a job records the version it ran (jobs.flow_version, and the response metadata)."""
    flow, first, second = await two_versions(service, client)
    queued = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True,
                                                           "flow_version": first})
    job_id = queued.json()["job_id"]
    done = await wait_for_status(client, job_id, "completed")
    assert done["metadata"]["flow_version"] == first
    assert answer(done) == "one: "
    assert await service.pool.fetchval("select flow_version from jobs where id = $1", done["job_id"]) == first
    current = await run(client, flow["id"])
    assert current["metadata"]["flow_version"] == second


async def test_unknown_flow_version_is_404(service, client):
    """Contract: unknown version: 404."""
    flow, _, _ = await two_versions(service, client)
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "flow_version": "0" * 16})
    assert response.status_code == 404
    assert response.json()["code"] == "FLOW_VERSION_NOT_FOUND"
    assert response.json()["flow_id"] == flow["id"]


async def test_versions_lists_hashes_and_dates_newest_first(service, client):
    """Contract: `GET /api/v1/flows/{flow_id}/versions`; every stored graph is an immutable version named by
    a content hash; `PUT` answers 200 with the new `version`."""
    flow, first, second = await two_versions(service, client)
    listed = (await client.get(f"/api/v1/flows/{flow['id']}/versions")).json()
    assert [item["version"] for item in listed] == [second, first]
    assert [item["current"] for item in listed] == [True, False]
    dates = [datetime.fromisoformat(item["created_at"]) for item in listed]
    assert dates[0] >= dates[1]
    # Going back to the first graph adds no version (same content, same hash) and makes it current.
    back = await client.put(f"/api/v1/flows/{flow['id']}", json=prompt_flow("one: {question}"))
    assert back.json()["version"] == first
    listed = (await client.get(f"/api/v1/flows/{flow['id']}/versions")).json()
    assert {item["version"]: item["current"] for item in listed} == {first: True, second: False}
    assert answer(await run(client, flow["id"])) == "one: x"
