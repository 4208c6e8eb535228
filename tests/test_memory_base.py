"""Memory bases: Langflow's Memory Chatbot starter, unchanged, recalls an earlier turn of the same
session through its `retrieve_memory` tool; other sessions, flows and owners stay out of it."""

from __future__ import annotations

import uuid

import pytest

import fake_openai as fake
import starters
from conftest import start_service


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env()) as started:
        yield started


def node_id(export: dict, node_type: str) -> str:
    return next(node["id"] for node in export["data"]["nodes"] if node["data"]["type"] == node_type)


async def turn(client, flow_id: str, chat_input: str, text: str, session: str) -> dict:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "inputs": {
        f"{chat_input}.input_value": text, f"{chat_input}.session_id": session}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed", body
    return body


def recalled(fake_openai, question: str) -> str:
    """What the retrieve_memory tool answered the model, for the turn that asked `question`."""
    requests = fake_openai.received(question)
    tool_messages = [m for m in requests[-1]["messages"] if m["role"] == "tool"]
    assert tool_messages, requests[-1]["messages"]
    return tool_messages[-1]["content"]


async def test_the_third_turn_recalls_the_first_through_retrieve_memory(service, client, fake_openai):
    export = starters.load("Memory Chatbot.json")
    flow = await service.flow(client, export)
    chat_input = node_id(export, "ChatInput")
    session, colour = f"s-{uuid.uuid4().hex[:8]}", f"teal{uuid.uuid4().hex[:4]}"
    await turn(client, flow["id"], chat_input, f"My favourite colour is {colour}.", session)
    await turn(client, flow["id"], chat_input, "I live in a small flat by the river.", session)
    question = f"What is my favourite colour? ({uuid.uuid4().hex[:6]})"
    fake_openai.script(question, fake.tool_call("retrieve_memory", {"search_query": "my favourite colour"}),
                       fake.text(f"Your favourite colour is {colour}."))
    body = await turn(client, flow["id"], chat_input, question, session)
    assert f"Your favourite colour is {colour}." in [output["content"] for output in body["outputs"].values()]
    memory = recalled(fake_openai, question)
    assert f"My favourite colour is {colour}." in memory
    # Nearest first: the first turn's message before the river one.
    assert memory.index(colour) < memory.index("river")

    # Another session of the same flow does not see it (filter_by_session is on).
    other = f"What is my favourite colour? ({uuid.uuid4().hex[:6]})"
    fake_openai.script(other, fake.tool_call("retrieve_memory", {"search_query": "my favourite colour"}),
                       fake.text("I don't know."))
    await turn(client, flow["id"], chat_input, other, f"s-{uuid.uuid4().hex[:8]}")
    assert colour not in recalled(fake_openai, other)


async def test_another_owner_and_another_flow_never_recall_it(service, client, fake_openai):
    export = starters.load("Memory Chatbot.json")
    chat_input = node_id(export, "ChatInput")
    mine = await service.flow(client, export)
    session, secret = f"s-{uuid.uuid4().hex[:8]}", f"secret{uuid.uuid4().hex[:6]}"
    await turn(client, mine["id"], chat_input, f"The vault code is {secret}.", session)
    second = await service.flow(client, export | {"name": "Another"})
    question = f"What is the vault code? ({uuid.uuid4().hex[:6]})"
    fake_openai.script(question, fake.tool_call("retrieve_memory", {"search_query": "vault code"}),
                       fake.text("I don't know."))
    await turn(client, second["id"], chat_input, question, session)
    assert secret not in recalled(fake_openai, question)
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        theirs = await service.flow(other, export)
        asked = f"What is the vault code? ({uuid.uuid4().hex[:6]})"
        fake_openai.script(asked, fake.tool_call("retrieve_memory", {"search_query": "vault code"}),
                           fake.text("I don't know."))
        await turn(other, theirs["id"], chat_input, asked, session)
    assert secret not in recalled(fake_openai, asked)


async def test_memory_bases_are_managed_per_flow_and_owner(service, client):
    export = starters.load("Memory Chatbot.json")
    flow = await service.flow(client, export)
    created = await client.post("/api/v1/memories", json={"name": "notes", "flow_id": flow["id"]})
    assert created.status_code == 201, created.text
    memory = created.json()
    assert (memory["flow_id"], memory["embedding_model"], memory["chunks"]) == (flow["id"], fake.EMBEDDING_MODEL, 0)
    again = await client.post("/api/v1/memories", json={"name": "notes", "flow_id": flow["id"]})
    assert (again.status_code, again.json()["code"]) == (409, "MEMORY_BASE_EXISTS")

    listed = (await client.get("/api/v1/memories", params={"flow_id": flow["id"]})).json()
    assert [item["id"] for item in listed["items"]] == [memory["id"]] and listed["total"] == 1
    assert (await client.get("/api/v1/knowledge_bases")).json() == []  # memory bases are not knowledge bases

    _, other_key = await service.key()
    async with service.client(other_key) as other:
        assert (await other.get(f"/api/v1/memories/{memory['id']}")).status_code == 404
        assert (await other.delete(f"/api/v1/memories/{memory['id']}")).status_code == 404
        assert (await other.get("/api/v1/memories")).json()["items"] == []
        theirs = await other.post("/api/v1/memories", json={"name": "mine", "flow_id": flow["id"]})
        assert (theirs.status_code, theirs.json()["code"]) == (404, "FLOW_NOT_FOUND")
    assert (await client.delete(f"/api/v1/memories/{memory['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/memories/{memory['id']}")).status_code == 404


@pytest.mark.parametrize("starter", ["Custom Component Generator.json", "Price Deal Finder.json"])
async def test_other_memory_starters_offer_retrieve_memory_to_their_agent(service, client, fake_openai, starter):
    export = starters.load(starter)
    flow = await service.flow(client, export)
    chat_input = node_id(export, "ChatInput")
    question = f"Hello ({uuid.uuid4().hex[:6]})"
    fake_openai.script(question, fake.text('{"answer": "hi"}'))
    await turn(client, flow["id"], chat_input, question, f"s-{uuid.uuid4().hex[:8]}")
    (request,) = fake_openai.received(question)
    assert "retrieve_memory" in [tool["function"]["name"] for tool in request["tools"]]
