"""A Langflow export runs end to end through real HTTP, a real worker process and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime

import flowkit
from jobwait import wait_for_status

INPUT = "ChatInput-echo.input_value"


async def test_echo_flow_runs_synchronously(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {INPUT: "what is 2+2"}})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["object"] == "response"
    assert body["inputs"] == {INPUT: "what is 2+2"}
    output = body["outputs"]["ChatOutput-echo"]
    assert output["type"] == "message"
    assert output["content"] == "what is 2+2"
    assert output["component_id"] == "ChatOutput-echo"


async def test_echo_flow_runs_in_background_and_get_returns_the_same_outputs(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    sync = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {INPUT: "hello"}})
    queued = await client.post("/api/v2/workflows",
                               json={"flow_id": flow["id"], "background": True, "inputs": {INPUT: "hello"}})
    assert queued.status_code == 200
    job = queued.json()
    assert job["status"] == "queued"
    assert job["object"] == "job"
    assert job["errors"] == []
    assert job["links"] == {"status": f"/api/v2/workflows?job_id={job['job_id']}", "stop": "/api/v2/workflows/stop",
                            "events": f"/api/v2/workflows/{job['job_id']}/events"}
    done = await wait_for_status(client, job["job_id"], "completed")
    def without_metadata(outputs):
        # metadata names the session, which defaults to each job's own id
        return {key: {k: v for k, v in value.items() if k != "metadata"} for key, value in outputs.items()}

    assert without_metadata(done["outputs"]) == without_metadata(sync.json()["outputs"])
    assert done["outputs"]["ChatOutput-echo"]["content"] == "hello"
    assert done["job_id"] == job["job_id"]


async def test_flow_can_be_run_by_endpoint_name(service, client):
    await service.flow(client, flowkit.echo_flow() | {"endpoint_name": "my-echo"})
    response = await client.post("/api/v2/workflows", json={"flow_id": "my-echo", "inputs": {INPUT: "by name"}})
    assert response.json()["outputs"]["ChatOutput-echo"]["content"] == "by name"


async def test_prompt_variables_become_inputs(service, client):
    export = flowkit.export("Prompted", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": ""}),
        flowkit.node("Prompt-b", "Prompt", {"template": "Q: {question} / {{literal}}", "question": ""},
                     outputs=("prompt",)),
        flowkit.node("ChatOutput-c", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-a", "message", "Prompt-b", "question"),
        flowkit.edge("Prompt-b", "prompt", "ChatOutput-c", "input_value")])
    flow = await service.flow(client, export)
    body = (await client.post("/api/v2/workflows",
                              json={"flow_id": flow["id"], "inputs": {"ChatInput-a.input_value": "why?"}})).json()
    assert body["outputs"]["ChatOutput-c"]["content"] == "Q: why? / {literal}"


async def test_failing_component_gives_failed_status_with_errors(service, client):
    export = flowkit.export("Failing", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": "x"}),
        flowkit.node("Fail-b", "SluiceTestFail", {"message": "no luck", "input_value": ""}, outputs=("text",)),
    ], [flowkit.edge("ChatInput-a", "message", "Fail-b", "input_value")])
    flow = await service.flow(client, export)
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "failed"
    assert body["errors"][0]["code"] == "COMPONENT_FAILED"
    assert "no luck" in body["errors"][0]["error"]
    assert body["errors"][0]["details"] == {"component_id": "Fail-b"}


async def test_execution_response_has_every_contract_field(service, client):
    """Contract: Execution response (sync, and GET): `{"flow_id", "job_id", "object": "response", "created_at":
    unix seconds, "created_timestamp", "status", "errors", "inputs" (as sent), "outputs", "metadata"}`; outputs
    keyed by terminal component id with `{"type", "component_id", "status", "content", "metadata"}`."""
    flow = await service.flow(client, flowkit.echo_flow())
    inputs = {INPUT: "fields", "ChatInput-echo.session_id": "s-1"}
    body = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": inputs})).json()
    assert set(body) >= {"flow_id", "job_id", "object", "created_at", "created_timestamp", "status", "errors",
                         "inputs", "outputs", "metadata"}
    assert body["flow_id"] == flow["id"] and uuid.UUID(body["job_id"])
    assert body["object"] == "response"
    assert isinstance(body["created_at"], int)
    stamp = datetime.fromisoformat(body["created_timestamp"].replace("Z", "+00:00"))
    assert body["created_timestamp"].endswith("Z") and int(stamp.timestamp()) == body["created_at"]
    assert body["inputs"] == inputs and body["errors"] == []
    assert body["metadata"]["flow_version"] == flow["version"]
    assert list(body["outputs"]) == ["ChatOutput-echo"]
    output = body["outputs"]["ChatOutput-echo"]
    assert set(output) == {"type", "component_id", "status", "content", "metadata"}
    assert output["metadata"]["session_id"] == "s-1"
    assert (await client.get("/api/v2/workflows", params={"job_id": body["job_id"]})).json() == body
