"""Contract, GET /api/v2/workflows?job_id=ID with stream=true, and POST /api/v2/workflows with stream:
a job's durable event log as server-sent events, replayed, resumed and followed live."""

from __future__ import annotations

import asyncio
import uuid

import pytest

import flowkit
from jobwait import job_status, wait_for_status
from sluice.store import jobs
from sse import Comment, ServerEvent, events, follow, items

INPUT = "ChatInput-in.input_value"


async def start(client, flow, text="hello", **extra) -> str:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True,
                                                              "inputs": {INPUT: text}, **extra})
    assert response.status_code == 200, response.text
    return response.json()["job_id"]


def assert_whole_log(log: list[ServerEvent]) -> None:
    """Ids 1, 2, 3...; first the queued status, last the `end` event."""
    assert [event.id for event in log] == list(range(1, len(log) + 1))
    assert log[0].event == "status" and log[0].data == {"status": "queued"}
    assert log[-1].event == "end"
    assert [event.event for event in log].count("end") == 1


async def test_stream_followed_while_the_job_runs_shows_component_events_before_end(service, client):
    """Contract: `text/event-stream` of the job's durable event log, each event `id:`, `event:`, `data:`;
    events include status changes and each component's start and end (with its output), and a last `end`
    event holding the execution response."""
    flow = await service.flow(client, flowkit.sleep_flow(1.0))
    job_id = await start(client, flow)
    log: list[ServerEvent] = []
    status_when_sleep_started = None
    async with client.stream("GET", "/api/v2/workflows", params={"job_id": job_id, "stream": "true"}) as response:
        async for event in events(response):
            log.append(event)
            if event.event == "component_start" and event.data["component_id"] == "Sleep-1":
                status_when_sleep_started = (await job_status(client, job_id))["status"]
    # The stream delivered the Sleep component's start while the job was still running: it is live.
    assert status_when_sleep_started == "in_progress"
    assert_whole_log(log)
    kinds = [(event.event, event.data.get("component_id") or event.data.get("status")) for event in log[:-1]]
    assert kinds == [
        ("status", "queued"), ("status", "in_progress"),
        ("component_start", "ChatInput-in"), ("component_end", "ChatInput-in"),
        ("component_start", "Sleep-1"), ("component_end", "Sleep-1"),
        ("component_start", "ChatOutput-out"), ("component_end", "ChatOutput-out"),
        ("status", "completed"),
    ]
    assert log[5].data["outputs"]["text"]["content"] == "hello"
    final = await job_status(client, job_id)
    assert log[-1].data == final
    assert final["status"] == "completed"


async def test_post_with_stream_true_creates_the_job_and_streams_it_from_its_first_event(service, client):
    """Contract: POST /api/v2/workflows, **stream**: answers `text/event-stream` at once and streams that
    job's events until its terminal event."""
    flow = await service.flow(client, flowkit.sleep_flow(0.2))
    body = {"flow_id": flow["id"], "stream": True, "inputs": {INPUT: "streamed"}}
    async with client.stream("POST", "/api/v2/workflows", json=body) as response:
        log = [event async for event in events(response)]
    assert_whole_log(log)
    end = log[-1].data
    assert end["object"] == "response"
    assert end["status"] == "completed"
    assert end["outputs"]["ChatOutput-out"]["content"] == "streamed"
    assert await job_status(client, end["job_id"]) == end
    assert await follow(client, end["job_id"]) == log


async def test_stream_of_a_finished_job_replays_its_log_and_closes(service, client):
    """Contract: A stream of a finished job replays its log and closes."""
    flow = await service.flow(client, flowkit.echo_flow())
    done = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    log = await follow(client, done["job_id"])
    assert_whole_log(log)
    assert log[-1].data == done
    # Replaying again gives the same log: it is durable, not consumed by reading.
    assert await follow(client, done["job_id"]) == log


async def test_the_queued_claimed_and_final_statuses_are_streamed_though_only_their_row_and_end_store_them(
        service, client):
    """A fast job stores one event (its `end`); the stream still tells every status, the claim's
    attempt and worker included."""
    flow = await service.flow(client, flowkit.echo_flow())
    done = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    log = await follow(client, done["job_id"])
    assert_whole_log(log)
    assert [(event.event, event.data.get("status")) for event in log if event.event in ("status", "end")] == [
        ("status", "queued"), ("status", "in_progress"), ("status", "completed"), ("end", "completed")]
    assert log[-2].id == log[-1].id - 1
    [claim] = [event for event in log if event.data.get("status") == "in_progress"]
    worker = await service.pool.fetchval("select worker_id from jobs where id = $1", uuid.UUID(done["job_id"]))
    assert (claim.id, claim.data["attempt"], claim.data["worker"]) == (2, 1, worker)
    stored = await service.pool.fetch(
        "select seq, type from job_events where job_id = $1 and type in ('status', 'end')", uuid.UUID(done["job_id"]))
    assert [(row["seq"], row["type"]) for row in stored] == [(log[-1].id, "end")]
    # Read a page at a time, the implied events come exactly once each, at their own numbers.
    paged, after = [], 0
    while page := await jobs.read_events(service.pool, uuid.UUID(done["job_id"]), after, 1):
        paged.extend(page)
        after = page[-1].seq
    assert [(event.seq, event.type) for event in paged] == [(event.id, event.event) for event in log]


async def test_resume_from_each_sequence_id_gives_exactly_the_remaining_events(service, client):
    """Contract: `sequence_id=N` (or the `Last-Event-ID` header) resumes after event N."""
    flow = await service.flow(client, flowkit.tokens_flow())
    done = (await client.post("/api/v2/workflows",
                              json={"flow_id": flow["id"], "inputs": {INPUT: "one two three"}})).json()
    log = await follow(client, done["job_id"])
    assert len(log) >= 10
    for after in range(len(log) + 1):
        assert await follow(client, done["job_id"], sequence_id=after) == log[after:]
        assert await follow(client, done["job_id"], headers={"Last-Event-ID": str(after)}) == log[after:]


async def test_last_event_id_header_wins_over_sequence_id(service, client):
    """Contract: `sequence_id=N` (or the `Last-Event-ID` header) resumes after event N. A reconnecting
    EventSource repeats its first URL and sends the header, so the header is the newer position."""
    flow = await service.flow(client, flowkit.echo_flow())
    done = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    log = await follow(client, done["job_id"])
    assert await follow(client, done["job_id"], sequence_id=1, headers={"Last-Event-ID": "3"}) == log[3:]


async def test_a_client_that_drops_and_reconnects_with_its_last_id_misses_nothing(service, client):
    """Contract: `sequence_id=N` resumes after event N — while the job runs: a client that drops and
    reconnects with its last id misses nothing and sees nothing twice."""
    flow = await service.flow(client, flowkit.tokens_flow(delay=0.05))
    job_id = await start(client, flow, "a b c d e f g h i j")
    seen: list[ServerEvent] = []
    async with client.stream("GET", "/api/v2/workflows", params={"job_id": job_id, "stream": "true"}) as response:
        async for event in events(response):
            seen.append(event)
            if event.event == "token":
                break  # drop the connection mid-job
    assert (await job_status(client, job_id))["status"] == "in_progress"
    seen += await follow(client, job_id, headers={"Last-Event-ID": str(seen[-1].id)})
    assert_whole_log(seen)
    assert seen == await follow(client, job_id)


async def test_concurrent_followers_of_one_job_see_identical_logs(service, client):
    """Contract: many clients can follow one job; each sees the whole log, in order."""
    flow = await service.flow(client, flowkit.tokens_flow(delay=0.02))
    job_id = await start(client, flow, "the quick brown fox jumps over the lazy dog")
    first, second, third = await asyncio.gather(follow(client, job_id), follow(client, job_id),
                                                follow(client, job_id, sequence_id=2))
    assert_whole_log(first)
    assert first == second
    assert third == first[2:]
    assert first == await follow(client, job_id)


async def test_token_events_concatenate_to_the_final_answer(service, client):
    """Contract: events include model `token` chunks (a component streaming its answer)."""
    flow = await service.flow(client, flowkit.tokens_flow(delay=0.01))
    text = "  Streaming  answers arrive\tword by word. "
    body = {"flow_id": flow["id"], "stream": True, "inputs": {INPUT: text}}
    async with client.stream("POST", "/api/v2/workflows", json=body) as response:
        log = [event async for event in events(response)]
    tokens = [event.data["chunk"] for event in log if event.event == "token"]
    assert tokens == ["  ", "Streaming  ", "answers ", "arrive\t", "word ", "by ", "word. "]
    assert "".join(tokens) == text == log[-1].data["outputs"]["ChatOutput-out"]["content"]
    ends = [event.id for event in log if event.event == "component_end"]
    assert all(event.id < ends[1] for event in log if event.event == "token")


async def test_idle_stream_receives_comment_lines(service, client):
    """Contract: Idle streams send a comment every 15 s (SLUICE_STREAM_KEEPALIVE_SECONDS; short here)."""
    base_url = service.processes.api(SLUICE_STREAM_KEEPALIVE_SECONDS="0.1")
    flow = await service.flow(client, flowkit.sleep_flow(1.0))
    job_id = await start(client, flow)
    received = []
    async with service.client(client.headers["x-api-key"], base_url=base_url) as other, other.stream(
        "GET", "/api/v2/workflows", params={"job_id": job_id, "stream": "true"}
    ) as response:
        received = [item async for item in items(response)]
    comments = [item for item in received if isinstance(item, Comment)]
    assert comments and all(comment.text == "keep-alive" for comment in comments)
    # Comments come between events, while the Sleep component runs, and never after `end`.
    assert isinstance(received[-1], ServerEvent) and received[-1].event == "end"
    assert_whole_log([item for item in received if isinstance(item, ServerEvent)])


@pytest.mark.parametrize(("params", "headers"), [
    ({"sequence_id": "-1"}, {}),
    ({"sequence_id": "x"}, {}),
    ({"sequence_id": "999"}, {}),
    ({}, {"Last-Event-ID": "abc"}),
    ({"stream": "maybe"}, {}),
])
async def test_bad_stream_positions_are_400(service, client, params, headers):
    """Contract: Errors, 400 invalid request — a resume position that is not a sequence number of the job."""
    flow = await service.flow(client, flowkit.echo_flow())
    done = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    response = await client.get("/api/v2/workflows", params={"job_id": done["job_id"], "stream": "true", **params},
                                headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_REQUEST"
    assert isinstance(response.json()["detail"], str)


async def test_stream_of_a_queued_job_starts_with_the_queued_event_and_follows_it_to_the_end(service, client):
    """Contract: with stream=true on a job that has not started: replay, then follow live to `end`."""
    flow = await service.flow(client, flowkit.sleep_flow(0.3))
    # Fill both workers' slots so the next job waits in the queue.
    blocker_flow = await service.flow(client, flowkit.sleep_flow(1.0))
    blockers = [await start(client, blocker_flow) for _ in range(16)]
    job_id = await start(client, flow)
    async with client.stream("GET", "/api/v2/workflows", params={"job_id": job_id, "stream": "true"}) as response:
        stream = events(response)
        first = await anext(stream)
        assert (first.id, first.event, first.data) == (1, "status", {"status": "queued"})
        assert (await job_status(client, job_id))["status"] == "queued"
        rest = [event async for event in stream]
    assert_whole_log([first, *rest])
    for blocker in blockers:
        await wait_for_status(client, blocker, "completed")
