"""Langflow's own clients, unchanged, against the real service: `langflow-sdk` 0.4.0 (Python, Client
and AsyncClient) and `@datastax/langflow-client` 0.4.1 (JavaScript, installed with npm into the
git-ignored `.clients/`). Each check goes through the client's public methods only."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import subprocess
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from langflow_sdk import AsyncClient, Client
from langflow_sdk.exceptions import LangflowHTTPError
from langflow_sdk.models import FlowCreate, FlowUpdate, ProjectCreate, ProjectUpdate, RunRequest

import flowkit
from conftest import REPOSITORY, Processes, start_service
from jobwait import wait_for_row, wait_for_status
from sluice import db
from sluice.store import keys

# Real service processes and the JavaScript client's node process.
pytestmark = pytest.mark.integration

JS_CLIENT = "@datastax/langflow-client@0.4.1"
JS_PREFIX = REPOSITORY / ".clients"
JS_SCRIPT = Path(__file__).with_name("langflow_js_client.mjs")
UNSTORED = flowkit.field(False, "bool")


def echo_flow(name: str = "Echo", endpoint_name: str | None = None) -> dict[str, Any]:
    """Chat Input -> Chat Output, built the way Langflow exports it."""
    return flowkit.export(name, [
        flowkit.node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}, display_name="Chat Input"),
        flowkit.node("ChatOutput-out", "ChatOutput", {"input_value": "", "sender_name": "AI"},
                     display_name="Chat Output"),
    ], [flowkit.edge("ChatInput-in", "message", "ChatOutput-out", "input_value")], endpoint_name=endpoint_name)


def history_flow() -> dict[str, Any]:
    """A memory chatbot without a model: Chat Input stores the message; Message History answers
    with the session's conversation so far."""
    memory = {"mode": flowkit.field("Retrieve", "tab"), "n_messages": flowkit.field(100, "int"),
              "order": "Ascending", "sender_type": "Machine and User", "sender_name": "",
              "template": "{sender_name}: {text}", "session_id": ""}
    return flowkit.export("Chatbot", [
        flowkit.node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
        flowkit.node("Memory-1", "Memory", memory, outputs=("messages_text", "dataframe")),
        flowkit.node("ChatOutput-out", "ChatOutput", {"input_value": "", "should_store_message": UNSTORED}),
    ], [flowkit.edge("Memory-1", "messages_text", "ChatOutput-out", "input_value")])


@pytest.fixture(scope="module")
async def sdk(service):
    """A Client, an AsyncClient and the raw HTTP client, all with one owner's key."""
    owner, key = await service.key()
    sync = Client(service.base_url, api_key=key)
    async_client = AsyncClient(service.base_url, api_key=key)
    async with service.client(key) as http:
        yield {"owner": owner, "key": key, "client": sync, "async": async_client, "http": http}
    sync.close()
    await async_client.aclose()


async def call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """A blocking SDK call, off the event loop the service fixture shares."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def test_sdk_runs_a_flow_by_id_and_by_endpoint_name(service, sdk):
    flow = await service.flow(sdk["http"], echo_flow("Echo by name", endpoint_name="echo-by-name"))
    by_id = await call(sdk["client"].run, flow["id"], "Hello, Sluice!")
    assert by_id.first_text_output() == "Hello, Sluice!"
    assert by_id.is_completed()
    [block] = by_id.outputs
    [chat] = block.outputs
    assert chat["component_id"] == "ChatOutput-out"
    assert chat["component_display_name"] == "Chat Output"
    assert chat["results"]["message"]["sender_name"] == "AI"
    # The JavaScript client reads this path instead.
    assert chat["outputs"]["message"]["message"] == "Hello, Sluice!"
    # Without a session the flow's id names it, as in Langflow.
    assert by_id.session_id == flow["id"]

    by_name = await call(sdk["client"].run_flow, "echo-by-name", RunRequest(input_value="by name"))
    assert by_name.first_text_output() == "by name"
    raw = (await sdk["http"].post("/api/v1/run/echo-by-name", json={"input_value": "raw"})).json()
    assert raw["outputs"][0]["inputs"] == {"input_value": "raw"}


async def test_v1_and_v2_runs_of_one_flow_give_the_same_text_and_both_are_jobs(service, sdk):
    flow = await service.flow(sdk["http"], echo_flow("Echo twice"))
    v1 = await call(sdk["client"].run, flow["id"], "same text")
    v2 = (await sdk["http"].post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-in.input_value": "same text"}})).json()
    assert v2["outputs"]["ChatOutput-out"]["content"] == v1.first_text_output() == "same text"
    jobs = await service.pool.fetch("select status from jobs where flow_id = $1", uuid.UUID(flow["id"]))
    assert [row["status"] for row in jobs] == ["completed", "completed"]


async def test_sdk_tweaks_override_fields_and_an_unknown_one_is_a_400_naming_it(service, sdk):
    flow = await service.flow(sdk["http"], echo_flow("Tweaked"))
    by_id = await call(sdk["client"].run, flow["id"], "hi", tweaks={"ChatOutput-out": {"sender_name": "Bot"}})
    assert by_id.outputs[0].outputs[0]["results"]["message"]["sender_name"] == "Bot"
    by_display_name = await call(sdk["client"].run, flow["id"], "hi", tweaks={"Chat Output": {"sender_name": "Named"}})
    assert by_display_name.outputs[0].outputs[0]["results"]["message"]["sender_name"] == "Named"

    with pytest.raises(LangflowHTTPError) as unknown_component:
        await call(sdk["client"].run, flow["id"], "hi", tweaks={"Nope-1": {"sender_name": "x"}})
    assert unknown_component.value.status_code == 400
    assert "Nope-1" in str(unknown_component.value)
    answer = await sdk["http"].post(f"/api/v1/run/{flow['id']}", json={
        "input_value": "hi", "tweaks": {"ChatOutput-out": {"colour": "red"}}})
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_INPUTS"
    assert "colour" in answer.json()["detail"]
    # As in Langflow: the request's input_value and a tweak of the same field clash.
    clash = await sdk["http"].post(f"/api/v1/run/{flow['id']}", json={
        "input_value": "hi", "tweaks": {"ChatInput-in": {"input_value": "other"}}})
    assert clash.status_code == 400


async def test_v1_body_fields_are_checked_and_unknown_ones_ignored(service, sdk):
    flow = await service.flow(sdk["http"], echo_flow("Checked"))
    path = f"/api/v1/run/{flow['id']}"
    ignored = await sdk["http"].post(path, json={"input_value": "ok", "something_else": 1})
    assert ignored.status_code == 200
    for body in ({"input_value": 5}, {"input_type": "voice"}, {"output_type": "pdf"}, {"tweaks": []}):
        answer = await sdk["http"].post(path, json=body)
        assert answer.status_code == 400, body
        assert answer.json()["code"] == "INVALID_REQUEST"
    assert (await sdk["http"].post("/api/v1/run/no-such-flow", json={})).status_code == 404
    assert (await service.client(None).post(path, json={})).status_code == 401


async def test_sessions_continue_across_runs_and_stay_apart(service, sdk):
    flow = await service.flow(sdk["http"], history_flow())
    first = await call(sdk["client"].run_flow, flow["id"], RunRequest(input_value="My name is Ada"))
    assert first.first_text_output() == "User: My name is Ada"

    async def say(text: str, session: str) -> str:
        answer = await sdk["http"].post(f"/api/v1/run/{flow['id']}", json={"input_value": text, "session_id": session})
        assert answer.status_code == 200, answer.text
        assert answer.json()["session_id"] == session
        return answer.json()["outputs"][0]["outputs"][0]["results"]["message"]["text"]

    assert await say("I am Ada", "s-1") == "User: I am Ada"
    assert await say("What is my name?", "s-1") == "User: I am Ada\nUser: What is my name?"
    assert await say("Who am I?", "s-2") == "User: Who am I?"


async def test_sdk_stream_yields_messages_and_ends_with_the_run_response(service, sdk):
    flow = await service.flow(sdk["http"], flowkit.tokens_flow(name="Streamed"))

    def stream() -> list[Any]:
        return list(sdk["client"].stream(flow["id"], "one two three"))

    chunks = await call(stream)
    events = [chunk.event for chunk in chunks]
    assert events[-1] == "end"
    assert "".join(chunk.text for chunk in chunks if chunk.is_token) == "one two three"
    # Langflow's add_message data is the message itself (the JavaScript client reads it so).
    assert [chunk.data["text"] for chunk in chunks if chunk.event == "add_message"] == ["one two three"] * 2
    assert {chunk.data["build_data"]["id"] for chunk in chunks if chunk.event == "end_vertex"} == {
        "ChatInput-in", "Tokens-1", "ChatOutput-out"}
    assert chunks[-1].final_response().first_text_output() == "one two three"


async def test_a_failed_run_is_a_500_and_an_error_event(service, sdk):
    failing = flowkit.export("Failing", [
        flowkit.node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
        flowkit.node("Fail-1", "SluiceTestFail", {"input_value": ""}, outputs=("text",)),
        flowkit.node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-in", "message", "Fail-1", "input_value"),
        flowkit.edge("Fail-1", "text", "ChatOutput-out", "input_value")])
    flow = await service.flow(sdk["http"], failing)
    with pytest.raises(LangflowHTTPError) as failed:
        await call(sdk["client"].run, flow["id"], "boom")
    assert failed.value.status_code == 500
    answer = await sdk["http"].post(f"/api/v1/run/{flow['id']}", json={"input_value": "boom"})
    assert answer.json()["code"] == "COMPONENT_FAILED"
    assert "Traceback" not in answer.text
    chunks = await call(lambda: list(sdk["client"].stream(flow["id"], "boom")))
    assert chunks[-1].is_error
    assert chunks[-1].data["error"] == answer.json()["detail"]


async def test_async_client_runs_and_streams(service, sdk):
    flow = await service.flow(sdk["http"], echo_flow("Async echo"))
    answer = await sdk["async"].run(flow["id"], "async hello")
    assert answer.first_text_output() == "async hello"
    chunks = [chunk async for chunk in sdk["async"].stream(flow["id"], "async stream")]
    assert chunks[-1].final_response().first_text_output() == "async stream"


async def test_another_owner_cannot_run_the_flow(service, sdk):
    flow = await service.flow(sdk["http"], echo_flow("Private"))
    _, other_key = await service.key()
    with Client(service.base_url, api_key=other_key) as other, pytest.raises(LangflowHTTPError) as refused:
        await call(other.run, flow["id"], "let me in")
    assert refused.value.status_code == 404


async def test_v1_runs_whose_worker_is_killed_still_answer(cluster):
    """A sync run and a stream, both on a worker SIGKILLed mid-run: another worker takes the jobs over
    after their lease, and both callers get the answer on the connection they opened."""
    url = cluster.new_database()
    processes = Processes(url, env={"SLUICE_LEASE_SECONDS": "2"})
    pool = await db.create_pool(url, min_size=1, max_size=4)
    try:
        base_url = processes.api()
        key = await keys.create(pool, "killed-worker-owner")
        doomed = processes.worker(concurrency=2)
        async with AsyncClient(base_url, api_key=key) as client:
            flow = await client.create_flow(FlowCreate.model_validate(flowkit.sleep_flow(2.0, name="Slow")))
            sync_run = asyncio.create_task(client.run(str(flow.id), "survivor"))

            async def stream() -> list[Any]:
                return [chunk async for chunk in client.stream(str(flow.id), "streamed survivor")]

            streamed = asyncio.create_task(stream())
            await wait_for_row(pool, "select count(*) = 2 from jobs where status = 'in_progress'")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
            processes.worker(concurrency=2)
            answer = await asyncio.wait_for(sync_run, timeout=60)
            chunks = await asyncio.wait_for(streamed, timeout=60)
        assert answer.first_text_output() == "survivor"
        assert chunks[-1].final_response().first_text_output() == "streamed survivor"
        assert await pool.fetchval("select array_agg(attempt) = '{2,2}' from jobs")
    finally:
        processes.close()
        await pool.close()


@pytest.fixture(scope="module")
def js_client() -> Path:
    """The JavaScript client, installed with npm into `.clients/` (git-ignored) once."""
    installed = JS_PREFIX / "node_modules" / "@datastax" / "langflow-client" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != JS_CLIENT.rsplit("@", 1)[1]:
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(JS_PREFIX), JS_CLIENT],
                       check=True, capture_output=True)
    return JS_PREFIX


async def run_js(js_client: Path, base_url: str, key: str, checks: dict[str, Any]) -> dict[str, Any]:
    """Run the checks with the JavaScript client (tests/langflow_js_client.mjs); their results by name."""
    process = await asyncio.create_subprocess_exec(
        "node", str(JS_SCRIPT), base_url, key, json.dumps(checks),
        env={"NODE_PATH": str(js_client / "node_modules"), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


async def test_js_client_runs_streams_and_tweaks(service, sdk, js_client):
    flow = await service.flow(sdk["http"], echo_flow("JS echo", endpoint_name="js-echo"))
    chatbot = await service.flow(sdk["http"], history_flow())
    results = await run_js(js_client, service.base_url, sdk["key"], {
        "flow": flow["id"], "endpoint": "js-echo", "chatbot": chatbot["id"]})
    assert results["run"] == {"text": "from js", "session": flow["id"]}
    assert results["run_by_endpoint"] == "by endpoint"
    assert results["tweaked"] == "JS bot"
    assert results["session"] == ["User: one", "User: one\nUser: two"]
    assert results["stream_events"][-1] == "end"
    assert "add_message" in results["stream_events"]
    assert results["stream_text"] == "streamed from js"
    assert results["unknown_tweak"] == 400


def webhook_flow() -> dict[str, Any]:
    """Webhook -> Parser (`{name} did {action}`) -> Chat Output."""
    return flowkit.export("Hook", [
        flowkit.node("Webhook-w", "Webhook", {"data": ""}, outputs=("output_data",)),
        flowkit.node("ParserComponent-p", "ParserComponent", {"input_data": "", "mode": "Parser",
                                                              "pattern": "{name} did {action}", "sep": "\n"},
                     outputs=("parsed_text",)),
        flowkit.node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("Webhook-w", "output_data", "ParserComponent-p", "input_data"),
        flowkit.edge("ParserComponent-p", "parsed_text", "ChatOutput-out", "input_value")], endpoint_name="hook")


async def test_webhook_queues_a_durable_job_with_the_body_as_its_data(service, sdk):
    flow = await service.flow(sdk["http"], webhook_flow())
    answer = await sdk["http"].post("/api/v1/webhook/hook", content=b'{"name": "Ada", "action": "push"}')
    assert answer.status_code == 202
    assert answer.json()["message"] == "Task started in the background"
    assert answer.json()["status"] == "in progress"
    done = await wait_for_status(sdk["http"], answer.json()["job_id"], "completed")
    assert done["flow_id"] == flow["id"]
    assert done["outputs"]["ChatOutput-out"]["content"] == "Ada did push"

    assert (await sdk["http"].post("/api/v1/webhook/hook", content=b"")).status_code == 400
    # Authentication is on by default: no key, or a bad one, is refused, and another owner's key
    # does not find the flow.
    async with service.client(None) as anonymous:
        refused = await anonymous.post(f"/api/v1/webhook/{flow['id']}", content=b"{}")
        assert refused.status_code == 403
        assert refused.json()["code"] == "FORBIDDEN"
    async with service.client("sk-not-a-key") as wrong:
        assert (await wrong.post(f"/api/v1/webhook/{flow['id']}", content=b"{}")).status_code == 403
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        assert (await other.post(f"/api/v1/webhook/{flow['id']}", content=b"{}")).status_code == 404


async def test_webhook_without_authentication_runs_by_flow_id_only(cluster):
    async with start_service(cluster, {"SLUICE_WEBHOOK_AUTH_ENABLE": "false"}, workers=1) as open_service:
        owner, key = await open_service.key()
        async with open_service.client(key) as http:
            flow = await open_service.flow(http, webhook_flow())
            async with open_service.client(None) as anonymous:
                answer = await anonymous.post(f"/api/v1/webhook/{flow['id']}", content=b'{"name": "Bo", "action": "x"}')
                assert answer.status_code == 202
                # Endpoint names are not unique across owners, so they need a key.
                assert (await anonymous.post("/api/v1/webhook/hook", content=b"{}")).status_code == 404
                assert (await anonymous.post(f"/api/v1/webhook/{uuid.uuid4()}", content=b"{}")).status_code == 404
                # Per-run variables need a key: an anonymous caller cannot set the owner's.
                sneaky = await anonymous.post(f"/api/v1/webhook/{flow['id']}", content=b"{}",
                                              headers={"X-LANGFLOW-GLOBAL-VAR-OPENAI_API_KEY": "mine"})
                assert sneaky.status_code == 202
                assert await open_service.pool.fetchval(
                    "select secrets is null from job_inputs where job_id = $1", uuid.UUID(sneaky.json()["job_id"]))
            done = await wait_for_status(http, answer.json()["job_id"], "completed")
        assert done["outputs"]["ChatOutput-out"]["content"] == "Bo did x"
        assert await open_service.pool.fetchval("select owner from jobs where id = $1",
                                                uuid.UUID(answer.json()["job_id"])) == owner


async def test_sdk_creates_patches_upserts_lists_and_deletes_flows(service, sdk):
    client = sdk["client"]
    created = await call(client.create_flow, FlowCreate(name="SDK flow", data=echo_flow()["data"]))
    # A stable UUID for the owner, never its name.
    assert created.user_id == uuid.uuid5(uuid.UUID("6d1f0a4e-3c59-4f7e-9d35-2b8c1e5a7f90"), sdk["owner"])
    assert sdk["owner"] not in json.dumps((await sdk["http"].get(f"/api/v1/flows/{created.id}")).json())

    renamed = await call(client.update_flow, created.id, FlowUpdate(name="Renamed by PATCH"))
    assert renamed.name == "Renamed by PATCH"
    assert (await sdk["http"].get(f"/api/v1/flows/{created.id}/versions")).json().__len__() == 1
    changed = echo_flow()["data"]
    changed["nodes"][1]["data"]["node"]["template"]["sender_name"]["value"] = "Patched"
    await call(client.update_flow, created.id, FlowUpdate(data=changed))
    assert len((await sdk["http"].get(f"/api/v1/flows/{created.id}/versions")).json()) == 2
    answer = await call(client.run, str(created.id), "after patch")
    assert answer.outputs[0].outputs[0]["results"]["message"]["sender_name"] == "Patched"

    stable_id = uuid.uuid4()
    flow, was_created = await call(client.upsert_flow, stable_id, FlowCreate(name="Upserted", data=echo_flow()["data"]))
    assert (flow.id, was_created) == (stable_id, True)
    flow, was_created = await call(client.upsert_flow, stable_id, FlowCreate(name="Upserted again"))
    assert (flow.name, was_created) == ("Upserted again", False)
    # Another owner's id is not found, whether to read, to upsert or to patch.
    _, other_key = await service.key()
    with Client(service.base_url, api_key=other_key) as other:
        for attempt in (lambda: other.upsert_flow(stable_id, FlowCreate(name="Mine now", data=echo_flow()["data"])),
                        lambda: other.update_flow(stable_id, FlowUpdate(name="Mine now")),
                        lambda: other.get_flow(stable_id)):
            with pytest.raises(LangflowHTTPError) as refused:
                await call(attempt)
            assert refused.value.status_code == 404
    assert (await call(client.get_flow, stable_id)).name == "Upserted again"

    everything = await call(client.list_flows, get_all=True)
    assert {created.id, stable_id} <= {listed.id for listed in everything}
    # What the SDK's default list_flows() asks for (get_all=false): one page, as Langflow answers it.
    page = (await sdk["http"].get("/api/v1/flows/", params={"get_all": "false", "page": 1, "size": 1})).json()
    assert (page["total"], page["page"], page["size"], page["pages"]) == (len(everything), 1, 1, len(everything))
    assert len(page["items"]) == 1
    assert (await sdk["http"].get("/api/v1/flows/", params={"get_all": "false", "size": 0})).status_code == 400

    await call(client.delete_flow, stable_id)
    with pytest.raises(LangflowHTTPError):
        await call(client.get_flow, stable_id)


async def test_flows_upload_takes_json_and_zip_files(service, sdk):
    several = {"flows": [echo_flow("Uploaded one"), echo_flow("Uploaded two")]}
    answer = await sdk["http"].post("/api/v1/flows/upload/", files={"file": ("flows.json", json.dumps(several))})
    assert answer.status_code == 201, answer.text
    assert [flow["name"] for flow in answer.json()] == ["Uploaded one", "Uploaded two"]
    stable_id = str(uuid.uuid4())
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.json", json.dumps(echo_flow("Zipped") | {"id": stable_id}))
    answer = await sdk["http"].post("/api/v1/flows/upload/", files={"file": ("flows.zip", archive.getvalue())})
    assert answer.status_code == 201, answer.text
    assert answer.json()[0]["id"] == stable_id
    # One bad flow stores none of them.
    broken = {"flows": [echo_flow("Fine"), {"name": "Broken", "data": {"nodes": "no"}}]}
    answer = await sdk["http"].post("/api/v1/flows/upload/", files={"file": ("bad.json", json.dumps(broken))})
    assert answer.status_code == 400
    names = [flow.name for flow in await call(sdk["client"].list_flows, get_all=True)]
    assert "Fine" not in names
    for content in (b"", b"not json"):
        refused = await sdk["http"].post("/api/v1/flows/upload/", files={"file": ("x.json", content)})
        assert refused.status_code == 400


async def test_sdk_projects_push_and_pull(service, sdk, tmp_path):
    client = sdk["client"]
    first = await call(client.create_flow, FlowCreate(name="Project flow", data=echo_flow()["data"]))
    project = await call(client.create_project, ProjectCreate(name="Team", description="ours", flows_list=[first.id]))
    assert project.name == "Team"
    assert [p.id for p in await call(client.list_projects) if p.id == project.id] == [project.id]
    with_flows = await call(client.get_project, project.id)
    assert [flow.id for flow in with_flows.flows] == [first.id]
    assert with_flows.flows[0].folder_id == project.id
    renamed = await call(client.update_project, project.id, ProjectUpdate(name="Team renamed"))
    assert renamed.name == "Team renamed"

    written = await call(client.pull_project, project.id, output_dir=tmp_path)
    assert list(written) == ["Project flow"]
    pulled = json.loads(written["Project flow"].read_text())
    assert pulled["id"] == str(first.id) and pulled["data"]["nodes"]
    pushed = await call(client.push_project, tmp_path)
    assert [(flow.id, created) for flow, created in pushed] == [(first.id, False)]
    await call(client.delete_flow, first.id)
    [(again, created)] = await call(client.push_project, tmp_path)
    # The SDK strips `folder_id` from pulled files, so the flow comes back outside the project.
    assert (again.id, created, again.folder_id) == (first.id, True, None)
    await call(client.update_flow, first.id, FlowUpdate(folder_id=project.id))

    archive = await call(client._request, "GET", f"/api/v1/projects/download/{project.id}")
    copies = await call(client.upload_project, archive.content)
    assert [flow.name for flow in copies] == ["Project flow"] and copies[0].id != first.id
    assert (await call(client.run, str(copies[0].id), "copied")).first_text_output() == "copied"

    _, other_key = await service.key()
    with Client(service.base_url, api_key=other_key) as other:
        for attempt in (lambda: other.get_project(project.id), lambda: other.download_project(project.id),
                        lambda: other.delete_project(project.id)):
            with pytest.raises(LangflowHTTPError) as refused:
                await call(attempt)
            assert refused.value.status_code == 404
        # Moving someone else's flow into one's own project does nothing to it.
        mine = await call(other.create_project, ProjectCreate(name="Theirs", flows_list=[first.id]))
        assert (await call(other.get_project, mine.id)).flows == []
    assert (await call(client.get_flow, first.id)).folder_id == project.id

    await call(client.delete_project, project.id)
    with pytest.raises(LangflowHTTPError):
        await call(client.get_flow, first.id)


async def test_js_client_uploads_files_for_a_flow_and_to_the_files_api(service, sdk, js_client):
    flow = await service.flow(sdk["http"], echo_flow("Files"))
    results = await run_js(js_client, service.base_url, sdk["key"], {"upload_to": flow["id"]})
    assert results["flow_upload"]["flowId"] == flow["id"]
    assert results["flow_upload"]["filePath"].startswith(f"{flow['id']}/")
    stored = results["file_upload"]
    assert (stored["name"], stored["size"]) == ("notes", len(b"v2 bytes"))
    assert stored["path"].endswith(f"{stored['id']}.txt")
    assert "notes" in results["file_list"]

    # Both uploads download, to their owner only, and the v2 one can be deleted.
    flow_file_id = results["flow_upload"]["filePath"].split("/")[1]
    assert (await sdk["http"].get(f"/api/v2/files/{flow_file_id}")).content == b"hello from js"
    download = await sdk["http"].get(f"/api/v2/files/{stored['id']}")
    assert download.content == b"v2 bytes"
    assert download.headers["content-disposition"] == 'attachment; filename="notes.txt"'
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        assert (await other.get(f"/api/v2/files/{stored['id']}")).status_code == 404
        assert (await other.delete(f"/api/v2/files/{stored['id']}")).status_code == 404
        assert (await other.get("/api/v2/files")).json() == []
        assert (await other.post(f"/api/v1/files/upload/{flow['id']}",
                                 files={"file": ("x.txt", b"x")})).status_code == 404
    deleted = await sdk["http"].delete(f"/api/v2/files/{stored['id']}")
    assert deleted.json() == {"detail": "File notes.txt deleted successfully"}
    assert (await sdk["http"].get(f"/api/v2/files/{stored['id']}")).status_code == 404


async def test_uploads_are_checked(service, sdk):
    # A path in the file name is dropped; an empty file, a missing field or an oversized file is refused.
    answer = await sdk["http"].post("/api/v2/files", files={"file": ("../../etc/passwd", b"root")})
    assert answer.status_code == 201
    assert answer.json()["name"] == "passwd"
    assert (await sdk["http"].post("/api/v2/files", files={"file": ("empty.txt", b"")})).status_code == 400
    assert (await sdk["http"].post("/api/v2/files", files={"other": ("a.txt", b"a")})).status_code == 400
    big = b"x" * (10 * 1024 * 1024 + 1)
    refused = await sdk["http"].post("/api/v2/files", files={"file": ("big.bin", big)})
    assert refused.status_code == 413


async def test_advanced_run_answers_a_block_per_input_with_the_named_outputs(service, sdk):
    two_inputs = flowkit.export("Two inputs", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": "", "session_id": ""}, display_name="First"),
        flowkit.node("ChatOutput-a", "ChatOutput", {"input_value": ""}, display_name="Out A"),
        flowkit.node("ChatInput-b", "ChatInput", {"input_value": "", "session_id": ""}, display_name="Second"),
        flowkit.node("ChatOutput-b", "ChatOutput", {"input_value": ""}, display_name="Out B"),
    ], [flowkit.edge("ChatInput-a", "message", "ChatOutput-a", "input_value"),
        flowkit.edge("ChatInput-b", "message", "ChatOutput-b", "input_value")])
    flow = await service.flow(sdk["http"], two_inputs)
    answer = await sdk["http"].post(f"/api/v1/run/advanced/{flow['id']}", json={
        "inputs": [{"components": ["First"], "input_value": "one", "type": "chat"},
                   {"components": ["ChatInput-b"], "input_value": "two"}],
        "outputs": ["Out A", "ChatOutput-b"], "session_id": "adv"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["session_id"] == "adv"
    texts = [{out["component_id"]: out["results"]["message"]["text"] for out in block["outputs"]}
             for block in body["outputs"]]
    assert texts == [{"ChatOutput-a": "one", "ChatOutput-b": ""}, {"ChatOutput-a": "", "ChatOutput-b": "two"}]
    only_b = (await sdk["http"].post(f"/api/v1/run/advanced/{flow['id']}", json={
        "inputs": [{"input_value": "x"}], "outputs": ["Out B"]})).json()
    assert [out["component_id"] for out in only_b["outputs"][0]["outputs"]] == ["ChatOutput-b"]
    too_many = await sdk["http"].post(f"/api/v1/run/advanced/{flow['id']}", json={
        "inputs": [{"input_value": "x"}] * 101})
    assert too_many.status_code == 400
    bad_tweak = await sdk["http"].post(f"/api/v1/run/advanced/{flow['id']}", json={"tweaks": {"Nope": {"a": 1}}})
    assert bad_tweak.status_code == 400


async def test_hostile_uploads_and_foreign_projects_are_refused(service, sdk):
    # A ZIP whose flows unpack past the body limit is refused without unpacking it all.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("huge.json", b" " * (11 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    refused = await sdk["http"].post("/api/v1/flows/upload/", files={"file": ("bomb.zip", bomb.getvalue())})
    assert refused.status_code == 413
    assert refused.json()["code"] == "UPLOAD_TOO_LARGE"
    # Another owner's project cannot receive one's flows, by create, upload or PATCH.
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        theirs = (await other.post("/api/v1/projects/", json={"name": "Theirs"})).json()["id"]
    planted = await sdk["http"].post("/api/v1/flows/", json=echo_flow("Planted") | {"folder_id": theirs})
    assert planted.status_code == 404
    assert planted.json()["code"] == "PROJECT_NOT_FOUND"
    uploaded = await sdk["http"].post("/api/v1/flows/upload/", params={"folder_id": theirs},
                                      files={"file": ("f.json", json.dumps(echo_flow("Planted")))})
    assert uploaded.status_code == 404
    mine = await service.flow(sdk["http"], echo_flow("Mine"))
    moved = await sdk["http"].patch(f"/api/v1/flows/{mine['id']}", json={"folder_id": theirs})
    assert moved.status_code == 404
    async with service.client(other_key) as other:
        assert (await other.get(f"/api/v1/projects/{theirs}")).json()["flows"] == []
