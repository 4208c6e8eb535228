"""Langflow's knowledge starters (Document Q&A, Knowledge Retrieval, Vector Store RAG), unchanged from
the pinned langflow-base wheel, run against a knowledge base built from uploaded PDF, DOCX and CSV
files; the Knowledge node's Ingest mode; knowledge bases of another owner cannot be named."""

from __future__ import annotations

import uuid

import pytest

import fake_openai as fake
import starters
from conftest import start_service
from test_knowledge_bases import built, create

# Questions share words with exactly one chunk of the test files (see test_knowledge_bases.py).
REMOTE = "Can employees work remotely on Fridays?"
REMOTE_CHUNK = "Employees may work remotely on Fridays."


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env()) as started:
        yield started


def knowledge_node(export: dict) -> str:
    return next(node["id"] for node in export["data"]["nodes"] if node["data"]["type"] == "Knowledge")


def chat_input(export: dict) -> str:
    return next(node["id"] for node in export["data"]["nodes"] if node["data"]["type"] == "ChatInput")


async def run_starter(service, client, name: str, kb_name: str, question: str) -> tuple[dict, dict]:
    export = starters.load(name)
    flow = await service.flow(client, export)
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {
        f"{chat_input(export)}.input_value": question, f"{knowledge_node(export)}.knowledge_base": kb_name}})
    assert response.status_code == 200, response.text
    return export, response.json()


async def test_knowledge_retrieval_answers_with_the_nearest_chunks(service, client):
    kb_name = f"kr_{uuid.uuid4().hex[:6]}"
    await built(client, kb_name)
    _, body = await run_starter(service, client, "Knowledge Retrieval.json", kb_name, REMOTE)
    assert body["status"] == "completed", body
    (output,) = body["outputs"].values()
    # The parser's `Text: {content}` of the top 5, nearest first.
    assert output["content"].startswith(f"Text: {REMOTE_CHUNK}\n")
    assert output["content"].count("Text: ") == 5


@pytest.mark.parametrize("starter", ["Document Q&A.json", "Vector Store RAG.json"])
async def test_rag_starters_hand_the_model_the_retrieved_chunks(service, client, fake_openai, starter):
    kb_name = f"rag_{uuid.uuid4().hex[:6]}"
    await built(client, kb_name)
    question = f"{REMOTE} ({uuid.uuid4().hex[:6]})"
    fake_openai.script(question, fake.text("Yes, on Fridays."))
    _, body = await run_starter(service, client, starter, kb_name, question)
    assert body["status"] == "completed", body
    assert "Yes, on Fridays." in [output["content"] for output in body["outputs"].values()]
    (request,) = fake_openai.received(question)
    prompt = request["messages"][-1]["content"]
    assert f"Text: {REMOTE_CHUNK}\n" in prompt and prompt.count("Text: ") == 5
    assert prompt.index(f"Text: {REMOTE_CHUNK}") == prompt.index("Text: ")
    # The query was embedded with the knowledge base's model.
    embedded = fake_openai.received(question, path="/v1/embeddings")
    assert embedded and embedded[-1]["model"] == fake.EMBEDDING_MODEL


async def test_another_owners_knowledge_base_cannot_be_named_in_a_flow(service, client):
    kb_name = f"private_{uuid.uuid4().hex[:6]}"
    await built(client, kb_name)
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        _, body = await run_starter(service, other, "Knowledge Retrieval.json", kb_name, REMOTE)
    assert body["status"] == "failed"
    assert body["errors"][0]["error"].endswith(f"Knowledge base '{kb_name}' was not found.")


def ingest_flow(kb_name: str, rows: list[dict], **fields) -> dict:
    node = starters.node("Knowledge", "Knowledge-ingest", mode="Ingest", knowledge_base=kb_name, **fields)
    node["data"]["node"]["template"]["input_df"]["value"] = rows
    return {"name": "Ingest", "description": "Rows into a knowledge base.",
            "data": {"nodes": [node], "edges": []}}


async def test_ingest_mode_stores_rows_once_by_their_identifier(service, client, fake_openai):
    kb_name = f"rows_{uuid.uuid4().hex[:6]}"
    await create(client, kb_name)
    rows = [{"text": "The red kettle boils fast.", "sku": "K1"},
            {"text": "The blue toaster browns evenly.", "sku": "T1"}]
    flow = await service.flow(client, ingest_flow(kb_name, rows))
    first = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    assert first["status"] == "completed", first
    (result,) = first["outputs"].values()
    assert (result["content"]["stored"], result["content"]["skipped"]) == (2, 0)
    again = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    (result,) = again["outputs"].values()
    assert (result["content"]["stored"], result["content"]["skipped"]) == (0, 2)
    chunks = (await client.get(f"/api/v1/knowledge_bases/{kb_name}/chunks")).json()["chunks"]
    assert [chunk["content"] for chunk in chunks] == [row["text"] for row in rows]
    assert chunks[0]["metadata"]["sku"] == "K1" and len(chunks[0]["metadata"]["_id"]) == 64
