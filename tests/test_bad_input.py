"""Bad requests get the contract's status code and a one-sentence `detail`; nothing is lost."""

from __future__ import annotations

import uuid

import pytest

import flowkit


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    detail = body["detail"]
    assert isinstance(detail, str) and detail.endswith(".")
    assert "\n" not in detail and "Traceback" not in detail
    return body


async def test_malformed_json(client):
    response = await client.post("/api/v2/workflows", content=b'{"flow_id": ',
                                 headers={"content-type": "application/json"})
    assert_error(response, 400, "INVALID_JSON")


async def test_unknown_field(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    # Neither the documented body nor Langflow 1.13's has this field.
    body = assert_error(await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "tweeks": {}}),
                        400, "INVALID_REQUEST")
    assert "tweeks" in body["detail"]


@pytest.mark.parametrize("payload", [
    {"flow_id": 3}, {"flow_id": "x", "background": "yes"}, {"flow_id": "x", "inputs": []},
])
async def test_wrong_types(client, payload):
    assert_error(await client.post("/api/v2/workflows", json=payload), 400, "INVALID_REQUEST")


async def test_background_and_stream_together(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    both = {"flow_id": flow["id"], "background": True, "stream": True}
    assert_error(await client.post("/api/v2/workflows", json=both), 400, "INVALID_REQUEST")


async def test_unknown_flow(client):
    response = await client.post("/api/v2/workflows", json={"flow_id": str(uuid.uuid4())})
    body = assert_error(response, 404, "FLOW_NOT_FOUND")
    assert "flow_id" in body


async def test_unknown_inputs_key_names_it_and_lists_components(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    body = assert_error(await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"Nope-1.input_value": "x"}}), 400, "INVALID_INPUTS")
    assert "Nope-1.input_value" in body["detail"] and "ChatInput-echo" in body["detail"]
    body = assert_error(await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-echo.nope": "x"}}), 400, "INVALID_INPUTS")
    assert "ChatInput-echo.nope" in body["detail"]
    assert_error(await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-echo.input_value": 42}}), 400, "INVALID_INPUTS")
    # Nothing was queued for any of them.
    assert await service.pool.fetchval("select count(*) from jobs where flow_id = $1", uuid.UUID(flow["id"])) == 0


async def test_unknown_job_and_non_uuid_job_id(client):
    missing = str(uuid.uuid4())
    body = assert_error(await client.get("/api/v2/workflows", params={"job_id": missing}), 404, "JOB_NOT_FOUND")
    assert body["job_id"] == missing
    assert_error(await client.get("/api/v2/workflows", params={"job_id": "not-a-uuid"}), 400, "INVALID_REQUEST")
    assert_error(await client.get("/api/v2/workflows"), 400, "INVALID_REQUEST")
    assert_error(await client.post("/api/v2/workflows/stop", json={"job_id": missing}), 404, "JOB_NOT_FOUND")
    assert_error(await client.post("/api/v2/workflows/stop", json={"job_id": "nope"}), 400, "INVALID_REQUEST")


async def test_missing_and_wrong_key(service):
    async with service.client(None) as anonymous:
        response = await anonymous.get("/api/v2/workflows", params={"job_id": str(uuid.uuid4())})
        assert_error(response, 401, "UNAUTHORIZED")
        assert_error(await anonymous.get("/api/v1/flows/"), 401, "UNAUTHORIZED")
    async with service.client("sk-wrong") as wrong:
        assert_error(await wrong.post("/api/v2/workflows", json={"flow_id": "x"}), 401, "UNAUTHORIZED")


async def test_key_as_query_parameter(service, owner_key):
    async with service.client(None) as anonymous:
        response = await anonymous.get("/api/v1/flows/", params={"x-api-key": owner_key[1]})
    assert response.status_code == 200


async def test_unknown_component_refused_at_upload_naming_node_and_type(service, client):
    export = flowkit.export("Custom", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": ""}),
        flowkit.node("Mystery-1", "TotallyCustomThing", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-a", "message", "Mystery-1", "input_value")])
    body = assert_error(await client.post("/api/v1/flows/", json=export), 400, "INVALID_FLOW")
    assert "Mystery-1 (TotallyCustomThing)" in body["detail"]


async def test_langflow_0x_export_refused_with_reexport_advice(client):
    body = assert_error(await client.post("/api/v1/flows/", json=flowkit.legacy_flow()),
                        400, "INVALID_FLOW")
    assert "0.x" in body["detail"] and "re-export" in body["detail"]


async def test_cycle_without_loop_refused(client):
    export = flowkit.export("Cycle", [
        flowkit.node("Prompt-a", "Prompt", {"template": "{x}", "x": ""}, outputs=("prompt",)),
        flowkit.node("Prompt-b", "Prompt", {"template": "{y}", "y": ""}, outputs=("prompt",)),
    ], [flowkit.edge("Prompt-a", "prompt", "Prompt-b", "y"), flowkit.edge("Prompt-b", "prompt", "Prompt-a", "x")])
    body = assert_error(await client.post("/api/v1/flows/", json=export), 400, "INVALID_FLOW")
    assert "cycle" in body["detail"]


async def test_unknown_route_and_wrong_method_are_json(client):
    assert_error(await client.get("/api/v2/nothing-here"), 404, "NOT_FOUND")
    assert_error(await client.delete("/api/v2/workflows"), 405, "METHOD_NOT_ALLOWED")
