"""Human in the loop, durably: a run that reaches a Human Input node is suspended (no worker slot, no
lease), lists its request, and goes on down the chosen branch once resumed, from its checkpoint in
PostgreSQL; on any worker, after every process restarted; its deadline takes the fallback branch even
when it passed with no process running."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

import flowkit
from conftest import Cluster, Service, start_service
from jobwait import logged_statuses, wait_for_row, wait_for_status
from sse import Frame, frames


@pytest.fixture(scope="module")
async def service(cluster: Cluster, fake_openai) -> AsyncIterator[Service]:
    async with start_service(cluster, fake_openai.env()) as running:
        yield running


def review_flow(*, fallback: bool = False, timeout: dict[str, Any] | None = None) -> dict[str, Any]:
    """ChatInput -> model -> Human Input (approve / reject [/ fallback]) -> one Chat Output per branch."""
    branches = ["approve", "reject", *(["fallback"] if fallback else [])]
    human = flowkit.node("HumanInput-1", "HumanInput", {
        "prompt": "",
        "decisions": flowkit.field(["Approve", "Reject"], "other", list=True),
        "enable_fallback": flowkit.field(fallback, "bool"),
        "timeout": flowkit.field(timeout or {"value": 0, "unit": "Days"}, "dict"),
    }, outputs=tuple(f"branch_{branch}" for branch in branches), display_name="Human Input")
    model = flowkit.node("Model-1", "LanguageModelComponent", {"input_value": "", "system_message": ""},
                         outputs=("text_output", "model_output"))
    return flowkit.export("Review", [
        flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), model, human,
        *(flowkit.node(f"ChatOutput-{branch}", "ChatOutput", {"input_value": ""}) for branch in branches),
    ], [
        flowkit.edge("ChatInput-1", "message", "Model-1", "input_value"),
        flowkit.edge("Model-1", "text_output", "HumanInput-1", "prompt"),
        *(flowkit.edge("HumanInput-1", f"branch_{branch}", f"ChatOutput-{branch}", "input_value")
          for branch in branches),
    ])


def question() -> str:
    return f"Draft a reply {uuid.uuid4().hex[:8]}"


async def submit(client: httpx.AsyncClient, flow: dict[str, Any], text: str) -> str:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "input_value": text,
                                                             "mode": "background"})
    assert response.status_code == 200, response.text
    return response.json()["job_id"]


async def suspended(service: Service, job_id: str) -> None:
    await wait_for_row(service.pool, "select 1 from jobs where id = $1 and status = 'suspended'", uuid.UUID(job_id))


async def pending(client: httpx.AsyncClient, flow: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get("/api/v2/workflows/pending", params={"flow_id": flow["id"]})
    assert response.status_code == 200, response.text
    return response.json()


async def resume(client: httpx.AsyncClient, job_id: str, request_id: str, action: str) -> httpx.Response:
    return await client.post(f"/api/v2/workflows/{job_id}/resume",
                             json={"request_id": request_id, "decision": {"action_id": action}})


async def test_a_paused_run_lists_its_request_and_resumes_down_the_chosen_branch(service, client, fake_openai):
    flow = await service.flow(client, review_flow())
    text = question()
    job_id = await submit(client, flow, text)
    await suspended(service, job_id)
    row = await service.pool.fetchrow("select lease_expires_at, finished_at from jobs where id = $1",
                                      uuid.UUID(job_id))
    assert row["lease_expires_at"] is None and row["finished_at"] is None  # no lease held, not ended
    [waiting] = await pending(client, flow)
    assert waiting["job_id"] == job_id and waiting["kind"] == "node_input"
    assert waiting["prompt"] == f"echo: {text}"
    assert waiting["allowed_decisions"] == ["approve", "reject"]
    assert waiting["options"] == [{"action_id": "approve", "label": "Approve"},
                                  {"action_id": "reject", "label": "Reject"}]
    request_id = waiting["request_id"]
    events = await service.pool.fetch("select type, data from job_events where job_id = $1 order by seq",
                                      uuid.UUID(job_id))
    assert [event["type"] for event in events][-2:] == ["human_input_required", "status"]
    assert set(events[-2]["data"]) >= {"request_id", "kind", "prompt", "options", "allowed_decisions",
                                       "timeout_seconds"}

    refused = await resume(client, job_id, request_id, "escalate")
    assert refused.status_code == 422 and refused.json()["code"] == "INVALID_DECISION"
    stale = await resume(client, job_id, "HumanInput-1:older", "approve")
    assert stale.status_code == 409 and stale.json()["code"] == "NOT_RESUMABLE"
    unknown = await resume(client, str(uuid.uuid4()), request_id, "approve")
    assert unknown.status_code == 404
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        assert (await resume(other, job_id, request_id, "approve")).status_code == 404
        assert (await pending(other, flow)) == []

    accepted = await resume(client, job_id, request_id, "approve")
    assert accepted.status_code == 200 and accepted.json() == {"job_id": job_id, "status": "resuming",
                                                               "message": "Resume accepted."}
    await wait_for_status(client, job_id, "completed")
    done = (await client.get("/api/v2/workflows", params={"job_id": job_id})).json()
    assert done["outputs"]["ChatOutput-approve"]["content"] == f"echo: {text}"
    assert done["outputs"]["ChatOutput-reject"]["status"] == "skipped"
    # The model ran once: the resumed run took its answer from the checkpoint.
    assert len(fake_openai.received(text)) == 1
    assert (await resume(client, job_id, request_id, "approve")).status_code == 409
    assert await pending(client, flow) == []


async def test_a_sync_run_answers_suspended_with_its_human_request(service, client):
    flow = await service.flow(client, review_flow())
    native = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "input_value": question()})
    body = native.json()
    assert native.status_code == 200 and body["status"] == "suspended"
    assert body["human_request"]["request_id"] == f"HumanInput-1:{body['job_id']}"
    assert body["human_request"]["allowed_decisions"] == ["approve", "reject"]
    documented = await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"ChatInput-1.input_value": question()}})
    assert documented.status_code == 200 and documented.json()["status"] == "suspended"
    assert "human_request" not in documented.json()
    resumed = await resume(client, body["job_id"], body["human_request"]["request_id"], "reject")
    assert resumed.status_code == 200
    events = await events_until_end(client, body["job_id"])
    assert events[-1] == ("end", None)
    assert ("human_input_required", None) in events


async def events_until_end(client: httpx.AsyncClient, job_id: str) -> list[tuple[str, Any]]:
    async with client.stream("GET", f"/api/v2/workflows/{job_id}/events") as response:
        return [(item.data["event"], item.data["data"].get("id")) async for item in frames(response)
                if isinstance(item, Frame) and item.data["event"] in ("human_input_required", "end")]


async def test_a_resume_racing_a_stop_has_one_consistent_outcome(service, client):
    """Whichever moves the suspended job first wins: a stop first cancels it and the resume is refused
    (409); a resume first queues it and the stop then cancels it, or finds it already finished."""
    flow = await service.flow(client, review_flow())
    for _ in range(4):
        job_id = await submit(client, flow, question())
        await suspended(service, job_id)
        resumed, stopped = await asyncio.gather(
            resume(client, job_id, f"HumanInput-1:{job_id}", "approve"),
            client.post("/api/v2/workflows/stop", json={"job_id": job_id}))
        assert resumed.status_code in (200, 409), resumed.text
        assert stopped.status_code == 200, stopped.text
        told = stopped.json()["status"]
        await wait_for_status(client, job_id, told)
        statuses = await logged_statuses(service.pool, job_id)
        after_pause = statuses[statuses.index({"status": "suspended"}) + 1:]
        if resumed.status_code == 409:
            assert told == "cancelled" and after_pause == [{"status": "cancelled"}]
        else:
            assert after_pause[0]["reason"] == "resumed" and told in ("cancelled", "completed")
            assert ({"status": "completed"} in after_pause) == (told == "completed")


async def test_without_a_fallback_a_pause_past_its_deadline_ends_timed_out(service, client):
    flow = await service.flow(client, review_flow(timeout={"value": 1, "unit": "Seconds"}))
    job_id = await submit(client, flow, question())
    await suspended(service, job_id)
    await wait_for_row(service.pool, "select 1 from jobs where id = $1 and status = 'timed_out'", uuid.UUID(job_id))
    # A 1.13 body's job: 1.13's code for a timed-out job.
    assert (await client.get("/api/v2/workflows", params={"job_id": job_id})).status_code == 408
    [error] = (await service.pool.fetchval(
        "select data from job_events where job_id = $1 and type = 'end'", uuid.UUID(job_id)))["errors"]
    assert error["code"] == "HUMAN_INPUT_TIMEOUT"


async def test_a_suspended_job_resumes_after_every_process_restarted(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env(), workers=1) as running:
        _, key = await running.key()
        async with running.client(key) as client:
            flow = await running.flow(client, review_flow())
            text = question()
            job_id = await submit(client, flow, text)
            await suspended(running, job_id)
        for process in list(running.processes.started):
            running.processes.stop(process)
        base_url = running.processes.api()
        running.processes.worker()
        async with running.client(key, base_url=base_url) as client:
            [waiting] = await pending(client, flow)
            assert (await resume(client, job_id, waiting["request_id"], "reject")).status_code == 200
            await wait_for_status(client, job_id, "completed")
            done = (await client.get("/api/v2/workflows", params={"job_id": job_id})).json()
        assert done["outputs"]["ChatOutput-reject"]["content"] == f"echo: {text}"
        assert len(fake_openai.received(text)) == 1


async def test_the_deadline_takes_the_fallback_branch_even_with_no_process_running(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env(), workers=1) as running:
        _, key = await running.key()
        async with running.client(key) as client:
            flow = await running.flow(client, review_flow(fallback=True, timeout={"value": 1, "unit": "Seconds"}))
            text = question()
            job_id = await submit(client, flow, text)
            await suspended(running, job_id)
            for process in list(running.processes.started):
                running.processes.stop(process)
            await wait_for_row(running.pool, "select 1 from job_pauses where job_id = $1 and deadline < now()",
                               uuid.UUID(job_id))
            assert await running.pool.fetchval("select status from jobs where id = $1", uuid.UUID(job_id)) == (
                "suspended")
        running.processes.worker()
        await wait_for_row(running.pool, "select 1 from jobs where id = $1 and status = 'completed'",
                           uuid.UUID(job_id))
        response = await running.pool.fetchval("select data from job_events where job_id = $1 and type = 'end'",
                                               uuid.UUID(job_id))
        assert response["outputs"]["ChatOutput-fallback"]["content"] == f"echo: {text}"
        assert response["outputs"]["ChatOutput-approve"]["status"] == "skipped"
        reasons = await running.pool.fetch("select data from job_events where job_id = $1 and type = 'status'",
                                           uuid.UUID(job_id))
        assert {"status": "queued", "reason": "timeout", "action_id": "fallback"} in [row["data"] for row in reasons]


async def test_a_followed_stream_shows_the_pause_and_goes_on_after_the_resume(service, client):
    flow = await service.flow(client, review_flow())
    job_id = await submit(client, flow, question())
    seen: list[str] = []
    # The stream stays open while the job waits: a bound, so a missing event fails instead of hanging.
    async with asyncio.timeout(60), client.stream("GET", f"/api/v2/workflows/{job_id}/events") as response:
        async for item in frames(response):
            if not isinstance(item, Frame):
                continue
            seen.append(item.data["event"])
            if item.data["event"] == "human_input_required":
                request = item.data["data"]
                assert request["allowed_decisions"] == ["approve", "reject"]
                await suspended(service, job_id)
                assert (await resume(client, job_id, request["request_id"], "approve")).status_code == 200
    assert seen.count("human_input_required") == 1 and seen[-2:] == ["output", "end"]
    # The branch not taken ran nothing; the one taken built its Chat Output after the pause.
    assert seen.index("human_input_required") < seen.index("add_message", seen.index("human_input_required"))


async def test_agui_shows_the_pause_as_a_custom_event(service, client):
    flow = await service.flow(client, review_flow())
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "input_value": question(),
                                                             "mode": "background", "stream_protocol": "agui"})
    job_id = response.json()["job_id"]
    await suspended(service, job_id)
    async with asyncio.timeout(60), client.stream("GET", f"/api/v2/workflows/{job_id}/events") as stream:
        async for item in frames(stream):
            if isinstance(item, Frame) and item.data["type"] == "CUSTOM":
                assert item.data["name"] == "langflow.human_input_required"
                assert item.data["value"]["request_id"] == f"HumanInput-1:{job_id}"
                break


async def test_the_dashboard_shows_the_question_and_its_buttons_to_the_owner(cluster, fake_openai):
    env = {**fake_openai.env(), "SLUICE_SECRET_KEY": "human-input-dashboard-secret"}
    async with start_service(cluster, env, workers=1) as running:
        _, key = await running.key()
        async with running.client(key) as client:
            flow = await running.flow(client, review_flow())
            text = question()
            job_id = await submit(client, flow, text)
            await suspended(running, job_id)
        async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as browser:
            assert (await browser.post("/ui/signin", data={"api_key": key})).status_code == 303
            page = (await browser.get(f"/ui/jobs/{job_id}")).text
            assert "Waiting for you" in page and f"echo: {text}" in page
            assert re.findall(r'name="action_id" value="([a-z_]+)">([^<]+)</button>', page) == [
                ("approve", "Approve"), ("reject", "Reject")]
            token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
            answered = await browser.post(f"/ui/jobs/{job_id}/resume", data={
                "csrf": token, "request_id": f"HumanInput-1:{job_id}", "action_id": "reject"})
            assert answered.status_code == 303
            again = await browser.post(f"/ui/jobs/{job_id}/resume", data={
                "csrf": token, "request_id": f"HumanInput-1:{job_id}", "action_id": "reject"})
            assert again.status_code == 409
        _, stranger = await running.key()
        async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as other:
            await other.post("/ui/signin", data={"api_key": stranger})
            assert (await other.get(f"/ui/jobs/{job_id}")).status_code == 404
        await wait_for_row(running.pool, "select 1 from jobs where id = $1 and status = 'completed'",
                           uuid.UUID(job_id))
