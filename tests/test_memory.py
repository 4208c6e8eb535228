"""Message history: Chat Input / Chat Output store the conversation, Message History reads it back."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import flowkit
import inprocess
from sluice import db
from sluice.engine.services import Services
from sluice.models import ChatMessage, Event, JobStatus
from sluice.store import flows, jobs
from sluice.store.jobs import Transition

CHAT_INPUT = "ChatInput-chat"
CHAT_OUTPUT = "ChatOutput-chat"
UNSTORED = flowkit.field(False, "bool")


async def run(client: Any, flow_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "inputs": inputs})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed", body
    return body


async def say(client: Any, flow_id: str, text: str, session: str) -> str:
    body = await run(client, flow_id, {f"{CHAT_INPUT}.input_value": text, f"{CHAT_INPUT}.session_id": session})
    return body["outputs"][CHAT_OUTPUT]["content"]


def history_flow(**memory: Any) -> dict[str, Any]:
    """Message History (Retrieve, as text) -> Chat Output that does not store."""
    fields = {"mode": flowkit.field("Retrieve", "tab"), "n_messages": flowkit.field(100, "int"),
              "order": "Ascending", "sender_type": "Machine and User", "sender_name": "",
              "template": "{sender_name}: {text}", "session_id": "", **memory}
    return flowkit.export("History", [
        flowkit.node("Memory-1", "Memory", fields, outputs=("messages_text", "dataframe")),
        flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": "", "should_store_message": UNSTORED}),
    ], [flowkit.edge("Memory-1", "messages_text", "ChatOutput-1", "input_value")])


def cells(line: str) -> list[str]:
    """The cells of a markdown table row (`\\|` is a pipe inside a cell)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]


async def test_memory_chatbot_shows_the_first_exchange_in_the_second_prompt(service, client):
    flow = await service.flow(client, flowkit.memory_chatbot())
    first = await say(client, flow["id"], "My name is Ada", "chat-1")
    # Chat Input runs (and stores) before Message History reads, as in Langflow.
    assert first.endswith("\n\nUser: My name is Ada\nAI: ")
    assert first.count("My name is Ada") == 2

    second = await say(client, flow["id"], "What is my name?", "chat-1")
    context, _, prompt = second.partition("\n\nUser: What is my name?\nAI: ")
    assert prompt == ""
    lines = context.splitlines()
    # pandas' markdown, as Langflow writes a table: padded cells, `:---` alignment.
    assert lines[1].startswith("|:---")
    header, rows = cells(lines[0]), [cells(line) for line in lines[2:]]
    assert header[:8] == ["text", "sender", "sender_name", "session_id", "context_id", "files", "run_id", "timestamp"]
    assert len(rows) == 3
    assert rows[0][:4] == ["My name is Ada", "User", "User", "chat-1"]
    # The first answer, line breaks as `<br/>` in one table cell, as the Machine's message.
    assert "<br/>User: My name is Ada<br/>AI:" in rows[1][0] and rows[1][1:4] == ["Machine", "AI", "chat-1"]
    assert rows[2][:4] == ["What is my name?", "User", "User", "chat-1"]

    elsewhere = await say(client, flow["id"], "Hello?", "chat-2")
    assert "Ada" not in elsewhere


async def test_history_belongs_to_its_owner(service, client):
    flow = await service.flow(client, flowkit.memory_chatbot())
    await say(client, flow["id"], "secret plans", "shared-session")
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        other_flow = await service.flow(other, flowkit.memory_chatbot())
        answer = await say(other, other_flow["id"], "anything?", "shared-session")
    assert "secret plans" not in answer


async def test_messages_are_stored_with_owner_session_and_job(service, client, owner_key):
    flow = await service.flow(client, flowkit.echo_flow())
    body = await run(client, flow["id"], {"ChatInput-echo.input_value": "ping", "ChatInput-echo.session_id": "rows"})
    rows = await service.pool.fetch(
        "select owner, session_id, sender, sender_name, text, job_id from messages where session_id = 'rows' "
        "order by id")
    assert [tuple(row.values()) for row in rows] == [
        (owner_key[0], "rows", "User", "User", "ping", uuid.UUID(body["job_id"])),
        (owner_key[0], "rows", "Machine", "AI", "ping", uuid.UUID(body["job_id"])),
    ]


async def test_retrieve_filters_orders_limits_and_formats(service, client):
    echo = await service.flow(client, flowkit.echo_flow())
    for text in ("a", "b", "c"):
        await run(client, echo["id"], {"ChatInput-echo.input_value": text, "ChatInput-echo.session_id": "abc"})

    async def history(**memory: Any) -> str:
        flow = await service.flow(client, history_flow(**memory))
        body = await run(client, flow["id"], {"Memory-1.session_id": "abc"})
        return body["outputs"]["ChatOutput-1"]["content"]

    assert await history() == "User: a\nAI: a\nUser: b\nAI: b\nUser: c\nAI: c"
    assert await history(n_messages=flowkit.field(3, "int")) == "AI: b\nUser: c\nAI: c"
    assert await history(sender_type="User", n_messages=flowkit.field(2, "int")) == "User: b\nUser: c"
    assert await history(sender_type="Machine", order="Descending", template="{sender}|{text}") == (
        "Machine|c\nMachine|b\nMachine|a")
    assert await history(n_messages=flowkit.field(0, "int")) == ""


async def test_chat_components_do_not_store_when_told_not_to(service, client):
    export = flowkit.echo_flow()
    for node in export["data"]["nodes"]:
        node["data"]["node"]["template"]["should_store_message"] = UNSTORED
    flow = await service.flow(client, export)
    await run(client, flow["id"], {"ChatInput-echo.input_value": "unsaved", "ChatInput-echo.session_id": "quiet"})
    assert await service.pool.fetchval("select count(*) from messages where session_id = 'quiet'") == 0


async def test_store_mode_saves_the_incoming_message(service, client):
    store = flowkit.export("Store", [
        flowkit.node("ChatInput-1", "ChatInput",
                     {"input_value": "", "session_id": "", "should_store_message": UNSTORED}),
        flowkit.node("Memory-1", "Memory", {"mode": flowkit.field("Store", "tab"), "message": "", "sender": "Machine",
                                            "sender_name": "Bot", "session_id": ""}, outputs=("stored_messages",)),
    ], [flowkit.edge("ChatInput-1", "message", "Memory-1", "message")])
    flow = await service.flow(client, store)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": "remember me", "ChatInput-1.session_id": "kept"})
    stored = body["outputs"]["Memory-1"]
    assert stored["type"] == "message" and stored["content"] == "remember me"
    assert stored["metadata"] == {"sender": "Machine", "sender_name": "Bot", "session_id": "kept"}

    reader = await service.flow(client, history_flow())
    body = await run(client, reader["id"], {"Memory-1.session_id": "kept"})
    assert body["outputs"]["ChatOutput-1"]["content"] == "Bot: remember me"


async def test_in_process_runs_keep_history_in_memory():
    services = Services()
    export = flowkit.memory_chatbot()
    for text in ("first", "second"):
        outputs = await inprocess.run(export, {f"{CHAT_INPUT}.input_value": text}, services=services, session_id="s")
    rows = [cells(line) for line in outputs[CHAT_OUTPUT].content.splitlines() if line.startswith("| first ")]
    assert [row[:4] for row in rows] == [["first", "User", "User", "s"]]


async def test_messages_are_kept_only_by_the_write_that_moves_the_job(cluster):
    """A run's messages ride its job's final write: a write fenced off (the job stopped, or taken
    over after a lost lease) stores none, so a retried job never stores its turn twice."""
    conn = await db.connect(cluster.new_database())
    try:
        flow = await flows.create(conn, owner="o", name="m", description="", endpoint_name="m",
                                  graph=flowkit.echo_flow())
        job_id = uuid.uuid4()
        await jobs.enqueue(conn, [jobs.Submission(job_id, "o", flow.id, flow.version, max_attempts=3, inputs={})])
        [claimed] = await jobs.claim(conn, "worker-1", 10, 30)
        said = tuple(ChatMessage("o", "s", sender, sender, text, datetime.now(UTC))
                     for sender, text in (("User", "first"), ("Machine", "second")))

        def finish(attempt: int) -> Transition:
            return Transition(job_id, attempt, JobStatus.IN_PROGRESS, claimed.event_seq, JobStatus.COMPLETED,
                              (Event("status", {"status": "completed"}),), messages=said)

        stored = "select sender, text, created_at from messages where job_id = $1 order by id"
        assert await jobs.transition(conn, [finish(claimed.attempt + 1)], 30) == set()
        assert await conn.fetch(stored, job_id) == []
        assert await jobs.transition(conn, [finish(claimed.attempt)], 30) == {job_id}
        rows = await conn.fetch(stored, job_id)
        assert [(row["sender"], row["text"], row["created_at"]) for row in rows] == \
            [(message.sender, message.text, message.timestamp) for message in said]
    finally:
        await conn.close()
