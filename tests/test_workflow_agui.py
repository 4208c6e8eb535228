"""`stream_protocol: "agui"`: a run's events as AG-UI events, checked two ways: every event against the
`ag-ui-protocol` package's models, and the whole run through AG-UI's own TypeScript client
(`@ag-ui/client`, installed from npm at its pinned version), whose verifier refuses any event out of
its protocol's order and whose reducer builds the messages and state a UI would show."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from ag_ui.core import Event
from pydantic import TypeAdapter

import fake_openai as fake
import flowkit
from conftest import Cluster, Service, start_service
from jobwait import wait_for_status
from sse import Frame, frames

AGUI_CLIENT = "@ag-ui/client@1.0.0"
RUN_FLOW = Path(__file__).with_name("agui") / "run_flow.cjs"
EVENTS = TypeAdapter(Event)

ClientRun = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


@pytest.fixture(scope="module")
async def service(cluster: Cluster, fake_openai) -> AsyncIterator[Service]:
    async with start_service(cluster, fake_openai.env()) as running:
        yield running


@pytest.fixture(scope="module")
def agui_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """AG-UI's TypeScript client, installed from npm into a scratch folder."""
    folder = tmp_path_factory.mktemp("agui-client")
    npm = shutil.which("npm")
    assert npm, "npm is needed to install AG-UI's TypeScript client"
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", AGUI_CLIENT], cwd=folder, check=True,
                   timeout=300, capture_output=True)
    return folder / "node_modules"


@pytest.fixture
def agui_client(service: Service, owner_key: tuple[str, str], agui_modules: Path) -> ClientRun:
    async def run(body: dict[str, Any]) -> dict[str, Any]:
        process = await asyncio.create_subprocess_exec(
            "node", str(RUN_FLOW), f"{service.base_url}/api/v2/workflows", owner_key[1], json.dumps(body),
            env={**os.environ, "NODE_PATH": str(agui_modules)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return json.loads(out)
    return run


def checked(frame: Frame) -> dict[str, Any]:
    """The frame's AG-UI event, valid for the protocol's models and holding no field they lack."""
    event = EVENTS.validate_python(frame.data)
    known = {field.alias or name for name, field in type(event).model_fields.items()}
    assert set(frame.data) <= known, (frame.data, known)
    return frame.data


async def agui_stream(client: httpx.AsyncClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    async with client.stream("POST", "/api/v2/workflows", json={"mode": "stream", "stream_protocol": "agui",
                                                                 **body}) as response:
        return [checked(item) async for item in frames(response) if isinstance(item, Frame)]


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


async def test_tokens_become_one_text_message_between_run_started_and_finished(service, client, agui_client):
    flow = await service.flow(client, flowkit.tokens_flow())
    body = {"flow_id": flow["id"], "input_value": "one two three", "session_id": "thread-agui"}
    events = await agui_stream(client, body)
    assert kinds(events) == ["RUN_STARTED", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CONTENT",
                             "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"]
    assert events[0]["threadId"] == "thread-agui" and events[0]["runId"] == events[-1]["runId"]
    assert "".join(event["delta"] for event in events if event["type"] == "TEXT_MESSAGE_CONTENT") == "one two three"

    seen = await agui_client({**body, "mode": "stream", "stream_protocol": "agui"})
    assert seen["error"] is None
    assert kinds(seen["events"]) == kinds(events)
    [message] = seen["messages"]
    assert message["role"] == "assistant" and message["content"] == "one two three"


async def test_graph_state_shows_each_component_as_steps_and_state(service, client, agui_client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    body = {"flow_id": flow["id"], "input_value": "stateful", "expose_graph_state": True}
    events = await agui_stream(client, body)
    steps = [(event["type"], event["stepName"]) for event in events if event["type"].startswith("STEP_")]
    assert steps == [(kind, node) for node in ("ChatInput-in", "Sleep-1", "ChatOutput-out")
                     for kind in ("STEP_STARTED", "STEP_FINISHED")]
    assert events[1] == {"type": "STATE_SNAPSHOT", "snapshot": {"nodes": {}}}
    seen = await agui_client({**body, "mode": "stream", "stream_protocol": "agui"})
    assert seen["error"] is None
    # The client applied every snapshot and JSON patch: the state a UI would show.
    assert {node: state["status"] for node, state in seen["state"]["nodes"].items()} == {
        "ChatInput-in": "success", "Sleep-1": "success", "ChatOutput-out": "success"}
    assert [message["content"] for message in seen["messages"]] == ["stateful"]
    # Off by default for agui, as in 1.13.
    assert not {"STEP_STARTED", "STATE_SNAPSHOT", "STATE_DELTA"} & set(kinds(await agui_stream(
        client, {"flow_id": flow["id"], "input_value": "quiet"})))


async def test_an_agents_tool_call_becomes_the_tool_call_events(service, client, agui_client, fake_openai):
    question = f"What is 2 + 2? {uuid.uuid4().hex[:8]}"
    fake_openai.script(question, fake.tool_call("evaluate_expression", {"expression": "2 + 2"}, "call_1"),
                       fake.text("2 + 2 is 4."))
    agent = flowkit.node("Agent-1", "Agent", {
        "input_value": "", "system_prompt": "You are helpful.", "tools": flowkit.field("", "other", list=True),
        "add_calculator_tool": flowkit.field(True, "bool"), "add_current_date_tool": flowkit.field(False, "bool"),
        "max_iterations": flowkit.field(15, "int"), "output_schema": flowkit.field([], "table"),
    }, outputs=("response", "structured_response"))
    flow = await service.flow(client, flowkit.export("Agent", [
        flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), agent,
        flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-1", "message", "Agent-1", "input_value"),
        flowkit.edge("Agent-1", "response", "ChatOutput-1", "input_value")]))
    seen = await agui_client({"flow_id": flow["id"], "input_value": question, "mode": "stream",
                              "stream_protocol": "agui"})
    assert seen["error"] is None
    tool = [event for event in seen["events"] if event["type"].startswith("TOOL_CALL_")]
    assert kinds(tool) == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT"]
    assert tool[0]["toolCallName"] == "evaluate_expression"
    assert json.loads(tool[1]["delta"]) == {"expression": "2 + 2"}
    assert json.loads(tool[3]["content"]) == {"result": "4"}
    by_role = {message["role"]: message for message in seen["messages"]}
    assert by_role["tool"]["toolCallId"] == tool[0]["toolCallId"]
    assert any(message.get("content") == "2 + 2 is 4." for message in seen["messages"])


async def test_a_failed_run_ends_in_run_error(service, client, agui_client):
    flow = await service.flow(client, flowkit.export("Failing", [
        flowkit.node("ChatInput-in", "ChatInput", {"input_value": ""}),
        flowkit.node("Fail-1", "SluiceTestFail", {"message": "broken on purpose", "input_value": ""}),
    ], [flowkit.edge("ChatInput-in", "message", "Fail-1", "input_value")]))
    events = await agui_stream(client, {"flow_id": flow["id"], "input_value": "x"})
    assert kinds(events) == ["RUN_STARTED", "RUN_ERROR"]
    assert "broken on purpose" in events[-1]["message"] and events[-1]["code"] == "COMPONENT_FAILED"
    seen = await agui_client({"flow_id": flow["id"], "input_value": "x", "mode": "stream",
                              "stream_protocol": "agui"})
    assert kinds(seen["events"]) == ["RUN_STARTED", "RUN_ERROR"]


async def test_a_background_agui_job_replays_its_events_in_agui_after_last_event_id(service, client):
    flow = await service.flow(client, flowkit.tokens_flow())
    response = await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "input_value": "alpha beta", "mode": "background", "stream_protocol": "agui"})
    job_id = response.json()["job_id"]
    await wait_for_status(client, job_id, "completed")

    async def replay(after: int | None) -> list[Frame]:
        headers = {"Last-Event-ID": str(after)} if after is not None else {}
        async with client.stream("GET", f"/api/v2/workflows/{job_id}/events", headers=headers) as stream:
            return [item async for item in frames(stream) if isinstance(item, Frame)]

    log = await replay(None)
    assert kinds([checked(frame) for frame in log]) == [
        "RUN_STARTED", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END",
        "RUN_FINISHED"]
    # Resuming after the first token's id sends the rest, the open message's state carried over.
    first_token = log[2].id
    assert first_token is not None
    assert await replay(first_token) == log[3:]


async def test_a_stopped_agui_job_ends_with_the_cancel_marker_and_run_finished(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(30))
    response = await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "input_value": "x", "mode": "background", "stream_protocol": "agui"})
    job_id = response.json()["job_id"]
    await wait_for_status(client, job_id, "in_progress")
    assert (await client.post("/api/v2/workflows/stop", json={"job_id": job_id})).status_code == 200
    async with client.stream("GET", f"/api/v2/workflows/{job_id}/events") as stream:
        log = [checked(item) async for item in frames(stream) if isinstance(item, Frame)]
    # AG-UI has no cancel event: a namespaced CUSTOM marker, then a clean RUN_FINISHED (as lfx sends).
    assert kinds(log) == ["RUN_STARTED", "CUSTOM", "RUN_FINISHED"]
    assert log[1]["name"] == "langflow.run.cancelled"
