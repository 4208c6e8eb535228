"""Langflow 1.13's body of POST /api/v2/workflows beside the documented one: the request fields, the
fields 1.13 adds to its answers, its status codes, and a job's events in 1.13's framing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

import flowkit
from conftest import Cluster, Service, start_service
from jobwait import wait_for_row, wait_for_status
from sse import Comment, Frame, frames

SECRET_KEY = "test-secret-key-0123456789abcdef"


@pytest.fixture(scope="module")
async def service(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster, {"SLUICE_SECRET_KEY": SECRET_KEY,
                                       "SLUICE_STREAM_KEEPALIVE_SECONDS": "0.2"}) as running:
        yield running


async def run(client: httpx.AsyncClient, body: dict[str, Any], status: int = 200,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = await client.post("/api/v2/workflows", json=body, headers=headers or {})
    assert response.status_code == status, response.text
    return response.json()


def two_outputs_flow() -> dict[str, Any]:
    """ChatInput -> ChatOutput-a and ChatOutput-b: two text answers."""
    return flowkit.export("Two answers", [
        flowkit.node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
        flowkit.node("ChatOutput-a", "ChatOutput", {"input_value": ""}, display_name="Answer A"),
        flowkit.node("ChatOutput-b", "ChatOutput", {"input_value": ""}, display_name="Answer B"),
    ], [flowkit.edge("ChatInput-in", "message", "ChatOutput-a", "input_value"),
        flowkit.edge("ChatInput-in", "message", "ChatOutput-b", "input_value")])


def failing_flow() -> dict[str, Any]:
    return flowkit.export("Failing", [
        flowkit.node("ChatInput-in", "ChatInput", {"input_value": ""}),
        flowkit.node("Fail-1", "SluiceTestFail", {"message": "no luck", "input_value": ""}),
    ], [flowkit.edge("ChatInput-in", "message", "Fail-1", "input_value")])


def variable_flow(variable: str) -> dict[str, Any]:
    """A Text Input whose value is the global variable `variable`."""
    field = flowkit.field(variable, load_from_db=True)
    return flowkit.export("Variable", [flowkit.node("TextInput-1", "TextInput", {"input_value": field},
                                                    outputs=("text",))], [])


async def test_a_sync_run_in_the_113_body_answers_with_the_fields_113_adds(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    body = await run(client, {"flow_id": flow["id"], "input_value": "hello 1.13"})
    assert body["status"] == "completed"
    assert body["output"] == {"reason": "single", "text": "hello 1.13", "source": "ChatOutput-out"}
    assert body["outputs"]["ChatOutput-out"]["display_name"] == "ChatOutput"
    assert body["outputs"]["ChatOutput-out"]["content"] == "hello 1.13"
    assert body["has_errors"] is False and body["errors"] == [] and body["warnings"] == []
    # No session asked for: the run's own session, the job id (as the worker ran it).
    assert body["session_id"] == body["job_id"]
    # Nothing of the documented response is dropped.
    assert body["object"] == "response" and body["inputs"] == {"ChatInput-in.input_value": "hello 1.13"}
    assert body["metadata"]["flow_version"] == flow["version"]
    # The documented body still answers as documented, without 1.13's fields.
    documented = await run(client, {"flow_id": flow["id"], "inputs": {"ChatInput-in.input_value": "x"}})
    assert "output" not in documented and "session_id" not in documented


async def test_session_id_reaches_the_components_and_is_echoed(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    body = await run(client, {"flow_id": flow["id"], "input_value": "remember me", "session_id": "thread-7"})
    assert body["session_id"] == "thread-7"
    assert body["inputs"]["ChatInput-in.session_id"] == "thread-7"
    stored = await service.pool.fetch("select sender, text from messages where session_id = 'thread-7' order by id")
    assert [(row["sender"], row["text"]) for row in stored] == [("User", "remember me"), ("Machine", "remember me")]


async def test_tweaks_override_fields_and_are_checked_like_inputs(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(30))
    # Without the tweak the Sleep node would take 30 seconds; the sync wait would not end in time.
    body = await run(client, {"flow_id": flow["id"], "input_value": "quick",
                              "tweaks": {"Sleep-1": {"seconds": 0}}})
    assert body["status"] == "completed" and body["inputs"]["Sleep-1.seconds"] == 0
    wrong = await run(client, {"flow_id": flow["id"], "tweaks": {"Sleep-1": {"no_such": 1}}}, 400)
    assert wrong["code"] == "INVALID_INPUTS" and wrong["key"] == "Sleep-1.no_such"
    typed = await run(client, {"flow_id": flow["id"], "tweaks": {"Sleep-1": {"seconds": "soon"}}}, 400)
    assert typed["key"] == "Sleep-1.seconds"
    flat = await run(client, {"flow_id": flow["id"], "tweaks": {"Sleep-1": 3}}, 400)
    assert flat["code"] == "INVALID_INPUTS" and flat["key"] == "tweaks.Sleep-1"
    missing = await run(client, {"flow_id": flow["id"], "tweaks": {"Nope-9": {"seconds": 0}}}, 400)
    assert "Nope-9" in missing["detail"]


async def test_a_body_of_both_forms_is_refused_naming_the_fields(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    mixed = await run(client, {"flow_id": flow["id"], "inputs": {}, "tweaks": {}}, 400)
    assert mixed["code"] == "MIXED_REQUEST_FORMS"
    assert "inputs" in mixed["detail"] and "tweaks" in mixed["detail"]
    mixed = await run(client, {"flow_id": flow["id"], "mode": "background", "background": True}, 400)
    assert "`background`" not in mixed["detail"] and "(background)" in mixed["detail"] and "(mode)" in mixed["detail"]
    rows = await service.pool.fetchval("select count(*) from jobs where flow_id = $1", flow["id"])
    assert rows == 0


@pytest.mark.parametrize(("field", "value"), [
    ("data", {"nodes": [], "edges": []}),
    ("files", ["flow/some.txt"]),
    ("start_component_id", "ChatInput-in"),
    ("stop_component_id", "Sleep-1"),
])
async def test_each_113_field_sluice_does_not_carry_out_is_refused_by_name(service, client, field, value):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    refused = await run(client, {"flow_id": flow["id"], "input_value": "x", field: value}, 400)
    assert refused["code"] == "FIELD_NOT_SUPPORTED" and refused["field"] == field
    assert f"`{field}`" in refused["detail"]
    # Their empty values ask for nothing, and run.
    empty = {"data": None, "files": [], "start_component_id": None, "stop_component_id": None}[field]
    assert (await run(client, {"flow_id": flow["id"], "input_value": "x", field: empty}))["status"] == "completed"


async def test_bad_values_of_113_fields_are_refused_by_name(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    mode = await run(client, {"flow_id": flow["id"], "mode": "later"}, 400)
    assert "`mode`" in mode["detail"]
    protocol = await run(client, {"flow_id": flow["id"], "mode": "stream", "stream_protocol": "morse"}, 422)
    assert protocol["code"] == "UNKNOWN_STREAM_PROTOCOL" and "agui" in protocol["detail"]
    unknown = await run(client, {"flow_id": flow["id"], "mode": "sync", "colour": "red"}, 400)
    assert unknown["detail"] == "Unknown field(s) in the request body: colour."
    typed = await run(client, {"flow_id": flow["id"], "input_value": 5}, 400)
    assert "`input_value`" in typed["detail"]
    graph_state = await run(client, {"flow_id": flow["id"], "expose_graph_state": "yes"}, 400)
    assert "`expose_graph_state`" in graph_state["detail"]
    nowhere = await service.flow(client, variable_flow("X"))
    assert (await run(client, {"flow_id": nowhere["id"], "input_value": "hi"}))["outputs"]["TextInput-1"][
        "content"] == "hi"
    outputs_only = await service.flow(client, flowkit.export("No input", [
        flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": "fixed"})], []))
    refused = await run(client, {"flow_id": outputs_only["id"], "input_value": "hi"}, 400)
    assert refused["key"] == "input_value"


async def test_output_ids_choose_the_answer_among_several(service, client):
    flow = await service.flow(client, two_outputs_flow())
    both = await run(client, {"flow_id": flow["id"], "input_value": "twice"})
    assert both["output"] == {"reason": "multiple", "text": None, "source": None}
    assert {key: output["display_name"] for key, output in both["outputs"].items()} == {
        "ChatOutput-a": "Answer A", "ChatOutput-b": "Answer B"}
    chosen = await run(client, {"flow_id": flow["id"], "input_value": "twice", "output_ids": ["ChatOutput-b"]})
    assert chosen["output"] == {"reason": "single", "text": "twice", "source": "ChatOutput-b"}
    assert set(chosen["outputs"]) == {"ChatOutput-a", "ChatOutput-b"}
    # A background run's status read answers among the same outputs.
    job = await run(client, {"flow_id": flow["id"], "input_value": "later", "output_ids": ["ChatOutput-a"],
                             "mode": "background"})
    await wait_for_status(client, job["job_id"], "completed")
    read = (await client.get("/api/v2/workflows", params={"job_id": job["job_id"]})).json()
    assert read["output"] == {"reason": "single", "text": "later", "source": "ChatOutput-a"}
    unknown = await run(client, {"flow_id": flow["id"], "output_ids": ["ChatInput-in", "Nope"]}, 422)
    assert unknown["code"] == "UNKNOWN_OUTPUT_IDS" and "ChatInput-in, Nope" in unknown["detail"]


async def test_output_reasons_none_and_failed(service, client):
    data_only = await service.flow(client, flowkit.export("Data", [
        flowkit.node("Seq-1", "SluiceTestSequence", {"count": flowkit.field(2, "int")}, outputs=("output",))], []))
    body = await run(client, {"flow_id": data_only["id"], "mode": "sync"})
    assert body["output"]["reason"] == "none", body
    failed = await service.flow(client, failing_flow())
    body = await run(client, {"flow_id": failed["id"], "input_value": "x"})
    assert body["status"] == "failed" and body["has_errors"] is True
    assert body["output"] == {"reason": "failed", "text": None, "source": None}


async def test_globals_are_per_run_variables_kept_as_secret_as_headers(service, client):
    flow = await service.flow(client, variable_flow("BODY_SECRET"))
    secret = "globals-value-9f8e7d"
    body = await run(client, {"flow_id": flow["id"], "globals": {"BODY_SECRET": secret}},
                     headers={"X-LANGFLOW-GLOBAL-VAR-BODY_SECRET": "header-loses"})
    assert body["outputs"]["TextInput-1"]["content"] == secret
    assert "globals" not in body and secret not in str(body["inputs"])
    sealed = await service.pool.fetchval("select secrets from job_inputs where job_id = $1", body["job_id"])
    assert sealed is None  # erased once the job ended
    assert not await service.pool.fetchval("select count(*) from job_inputs where inputs::text like $1 "
                                           "or request::text like $1", f"%{secret}%")
    too_long = await run(client, {"flow_id": flow["id"], "globals": {"X" * 257: "v"}}, 400)
    assert "`globals`" in too_long["detail"]
    not_text = await run(client, {"flow_id": flow["id"], "globals": {"A": 1}}, 400)
    assert "`globals`" in not_text["detail"]


async def test_endpoint_names_and_flow_version_pinning_work_in_the_113_body(service, client):
    export = flowkit.sleep_flow(0) | {"endpoint_name": "native-echo"}
    flow = await service.flow(client, export)
    first_version = flow["version"]
    changed = flowkit.sleep_flow(0)
    changed["data"]["nodes"][2]["data"]["node"]["display_name"] = "Renamed output"
    updated = await client.put(f"/api/v1/flows/{flow['id']}", json=changed)
    assert updated.status_code == 200, updated.text
    current = await run(client, {"flow_id": "native-echo", "input_value": "by name"})
    assert current["outputs"]["ChatOutput-out"]["display_name"] == "Renamed output"
    pinned = await run(client, {"flow_id": "native-echo", "flow_version": first_version, "input_value": "old"})
    assert pinned["metadata"]["flow_version"] == first_version
    assert pinned["outputs"]["ChatOutput-out"]["display_name"] == "ChatOutput"
    gone = await run(client, {"flow_id": "native-echo", "flow_version": "nope", "input_value": "x"}, 404)
    assert gone["code"] == "FLOW_VERSION_NOT_FOUND"


async def test_background_runs_answer_with_links_and_1_13_status_codes(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    job = await run(client, {"flow_id": flow["id"], "input_value": "later", "mode": "background",
                             "session_id": "bg-1"})
    assert job["object"] == "job" and job["status"] == "queued"
    assert job["links"] == {"status": f"/api/v2/workflows?job_id={job['job_id']}",
                            "events": f"/api/v2/workflows/{job['job_id']}/events", "stop": "/api/v2/workflows/stop"}
    await wait_for_status(client, job["job_id"], "completed")
    done = (await client.get("/api/v2/workflows", params={"job_id": job["job_id"]})).json()
    assert done["output"]["text"] == "later" and done["session_id"] == "bg-1"
    assert done["outputs"]["ChatOutput-out"]["display_name"] == "ChatOutput"

    failed_flow = await service.flow(client, failing_flow())
    failed = await run(client, {"flow_id": failed_flow["id"], "input_value": "x", "mode": "background"})
    documented = await run(client, {"flow_id": failed_flow["id"], "background": True})
    # (Polled in the database: the 1.13 job's status read is the 500 under test.)
    await wait_for_row(service.pool, "select 1 from jobs where id = $1 and status = 'failed'", failed["job_id"])
    await wait_for_status(client, documented["job_id"], "failed")
    # 1.13 answers a failed job's status with a 500; the documented form with the failed response.
    response = await client.get("/api/v2/workflows", params={"job_id": failed["job_id"]})
    assert response.status_code == 500 and response.json()["code"] == "JOB_FAILED"
    assert response.json()["error_detail"]["error"].endswith("no luck")
    response = await client.get("/api/v2/workflows", params={"job_id": documented["job_id"]})
    assert response.status_code == 200 and response.json()["status"] == "failed"


async def test_a_running_113_job_reads_as_its_job_object_and_stops_only_in_background(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(30))
    job = await run(client, {"flow_id": flow["id"], "input_value": "slow", "mode": "background"})
    await wait_for_status(client, job["job_id"], "in_progress")
    reading = (await client.get("/api/v2/workflows", params={"job_id": job["job_id"]})).json()
    assert reading["object"] == "job" and reading["status"] == "in_progress"
    assert reading["links"]["events"] == f"/api/v2/workflows/{job['job_id']}/events"
    stopped = await client.post("/api/v2/workflows/stop", json={"job_id": job["job_id"]})
    assert stopped.status_code == 200 and stopped.json()["status"] == "cancelled"
    # A 1.13 sync or stream run is not a background run: 1.13 refuses to stop it, and so does Sluice.
    quick = await service.flow(client, flowkit.sleep_flow(0))
    synced = await run(client, {"flow_id": quick["id"], "input_value": "s"})
    refused = await client.post("/api/v2/workflows/stop", json={"job_id": synced["job_id"]})
    assert refused.status_code == 409 and refused.json()["code"] == "JOB_NOT_CANCELLABLE"
    assert refused.json()["mode"] == "sync"


async def test_idempotency_key_in_the_113_body_returns_the_first_job(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    body = {"flow_id": flow["id"], "input_value": "once", "mode": "background", "idempotency_key": "native-key-1"}
    first = await run(client, body)
    second = await run(client, body)
    assert first["job_id"] == second["job_id"]


def langflow_events(log: list[Frame]) -> list[tuple[str, Any]]:
    """(event, what it is about) of each frame."""
    def about(data: dict[str, Any]) -> Any:
        return data.get("id") or data.get("component_id") or (data.get("build_data") or {}).get("id")
    return [(frame.data["event"], about(frame.data["data"])) for frame in log]


async def read_events(client: httpx.AsyncClient, job_id: str, last_event_id: int | None = None
                      ) -> list[Frame | Comment]:
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    async with client.stream("GET", f"/api/v2/workflows/{job_id}/events", headers=headers) as response:
        return [item async for item in frames(response)]


async def test_events_of_a_job_in_113_framing_and_resumed_from_last_event_id(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    job = await run(client, {"flow_id": flow["id"], "input_value": "evented", "mode": "background"})
    await wait_for_status(client, job["job_id"], "completed")
    log = [item for item in await read_events(client, job["job_id"]) if isinstance(item, Frame)]
    assert langflow_events(log) == [
        ("vertices_sorted", None),
        ("build_start", "ChatInput-in"), ("end_vertex", "ChatInput-in"),
        ("add_message", f"{job['job_id']}-ChatInput-in"),
        ("build_start", "Sleep-1"), ("end_vertex", "Sleep-1"),
        ("build_start", "ChatOutput-out"), ("end_vertex", "ChatOutput-out"),
        ("add_message", f"{job['job_id']}-ChatOutput-out"),
        ("output", "ChatOutput-out"), ("end", None),
    ]
    assert log[0].data["data"] == {"ids": ["ChatInput-in"], "to_run": ["ChatInput-in", "Sleep-1", "ChatOutput-out"]}
    assert log[8].data["data"]["text"] == "evented" and log[8].data["data"]["sender"] == "Machine"
    assert log[9].data["data"] | {"metadata": None} == {
        "component_id": "ChatOutput-out", "type": "message", "status": "completed", "display_name": "ChatOutput",
        "content": "evented", "metadata": None}
    ids = [frame.id for frame in log if frame.id is not None]
    assert ids == sorted(set(ids)) and log[-1].id is not None
    # Each frame without an id belongs to the group its next id closes.
    resumed_from = log[3].id
    assert resumed_from is not None
    rest = [item for item in await read_events(client, job["job_id"], resumed_from) if isinstance(item, Frame)]
    assert rest == log[4:]
    assert await read_events(client, job["job_id"], log[-1].id) == []
    past = await client.get(f"/api/v2/workflows/{job['job_id']}/events", headers={"Last-Event-ID": "999"})
    assert past.status_code == 400


async def test_events_of_an_unknown_or_another_owners_job_are_404(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    job = await run(client, {"flow_id": flow["id"], "input_value": "mine", "mode": "background"})
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        response = await other.get(f"/api/v2/workflows/{job['job_id']}/events")
    assert response.status_code == 404 and response.json()["code"] == "JOB_NOT_FOUND"
    response = await client.get("/api/v2/workflows/not-a-uuid/events")
    assert response.status_code == 404


async def test_a_followed_stream_sends_keepalive_comments_while_the_job_runs(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(1.0))
    job = await run(client, {"flow_id": flow["id"], "input_value": "wait", "mode": "background"})
    items = await read_events(client, job["job_id"])
    assert Comment("keepalive") in items
    assert [item for item in items if isinstance(item, Frame)][-1].data["event"] == "end"


async def test_mode_stream_answers_in_113_framing_with_tokens_under_the_answers_id(service, client):
    flow = await service.flow(client, flowkit.tokens_flow())
    async with client.stream("POST", "/api/v2/workflows", json={"flow_id": flow["id"], "mode": "stream",
                                                                 "input_value": "one two three"}) as response:
        log = [item async for item in frames(response) if isinstance(item, Frame)]
    kinds = [frame.data["event"] for frame in log]
    tokens = [frame.data["data"] for frame in log if frame.data["event"] == "token"]
    assert [token["chunk"] for token in tokens] == ["one ", "two ", "three"]
    [answer] = [frame.data["data"] for frame in log if frame.data["event"] == "add_message"
                and frame.data["data"]["sender"] == "Machine"]
    assert {token["id"] for token in tokens} == {answer["id"]}
    assert kinds[-2:] == ["output", "end"]
    job_id = log[-1].data["data"]["job_id"]
    # The same job's events, read again, are the same frames.
    assert [item for item in await read_events(client, job_id) if isinstance(item, Frame)] == log


async def test_without_graph_state_the_stream_carries_only_the_conversation(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    async with client.stream("POST", "/api/v2/workflows", json={
            "flow_id": flow["id"], "mode": "stream", "input_value": "quiet", "expose_graph_state": False}) as response:
        log = [item async for item in frames(response) if isinstance(item, Frame)]
    assert [frame.data["event"] for frame in log] == ["add_message", "add_message", "output", "end"]


async def test_a_failed_or_stopped_job_ends_its_113_stream_with_error_or_cancelled(service, client):
    failing = await service.flow(client, failing_flow())
    async with client.stream("POST", "/api/v2/workflows", json={"flow_id": failing["id"], "mode": "stream",
                                                                 "input_value": "x"}) as response:
        log = [item async for item in frames(response) if isinstance(item, Frame)]
    assert log[-1].data["event"] == "error"
    assert log[-1].data["data"]["code"] == "COMPONENT_FAILED" and "no luck" in log[-1].data["data"]["error"]

    slow = await service.flow(client, flowkit.sleep_flow(30))
    job = await run(client, {"flow_id": slow["id"], "input_value": "x", "mode": "background"})
    await wait_for_status(client, job["job_id"], "in_progress")
    assert (await client.post("/api/v2/workflows/stop", json={"job_id": job["job_id"]})).status_code == 200
    log = [item for item in await read_events(client, job["job_id"]) if isinstance(item, Frame)]
    assert log[-1].data == {"event": "cancelled", "data": {"reason": "The job was stopped on request."}}


async def test_a_documented_job_has_113_events_too_and_keeps_its_own_stream(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    job = await run(client, {"flow_id": flow["id"], "background": True, "inputs": {"ChatInput-in.input_value": "d"}})
    await wait_for_status(client, job["job_id"], "completed")
    log = [item for item in await read_events(client, job["job_id"]) if isinstance(item, Frame)]
    assert log[0].data["event"] == "vertices_sorted" and log[-1].data["event"] == "end"
    async with client.stream("GET", "/api/v2/workflows", params={"job_id": job["job_id"], "stream": "true"}) as old:
        text = (await old.aread()).decode()
    assert "event: component_start" in text and "event: end" in text


async def test_the_developer_api_switch_turns_the_113_routes_off_too(service, client, owner_key):
    flow = await service.flow(client, flowkit.sleep_flow(0))
    job = await run(client, {"flow_id": flow["id"], "input_value": "x", "mode": "background"})
    base_url = service.processes.api(SLUICE_DEVELOPER_API="false")
    async with service.client(owner_key[1], base_url=base_url) as off:
        answers = [
            await off.post("/api/v2/workflows", json={"flow_id": flow["id"], "input_value": "x"}),
            await off.get(f"/api/v2/workflows/{job['job_id']}/events"),
            await off.get("/api/v2/workflows/pending", params={"flow_id": flow["id"]}),
            await off.post(f"/api/v2/workflows/{job['job_id']}/resume", json={"request_id": "r", "decision": {}}),
        ]
    for response in answers:
        assert response.status_code == 404 and response.json()["code"] == "DEVELOPER_API_DISABLED"
