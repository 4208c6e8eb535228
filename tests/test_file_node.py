"""The File node reads its owner's uploaded files (PDF, DOCX, CSV, JSON, text) by the path the files
API answered; Langflow's Text Sentiment Analysis and Financial Report Parser starters run unchanged
with one. Another owner's file, a missing one, a broken PDF and a zip bomb fail the job by name, and
the Docling Advanced Parser is refused at upload."""

from __future__ import annotations

import uuid

import pytest

import fake_openai as fake
import starters
from conftest import start_service
from documents import docx, pdf, zip_bomb
from sluice.engine.parsing import MAX_UNPACKED_BYTES
from sluice.store import files


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env()) as started:
        yield started


async def upload(service, owner: str, name: str, content: bytes) -> str:
    """Store a file as the files API stores an upload (no job); the path it answers for it."""
    file_id = uuid.uuid4()
    await files.insert(service.pool, file_id=file_id, owner=owner, job_id=None, name=name,
                       mime_type="application/octet-stream", content=content)
    return f"{uuid.uuid4()}/{file_id}.{name.rsplit('.', 1)[-1]}"


def file_flow(paths: list[str], **fields) -> dict:
    node = starters.node("File", "File-1", path=paths, **fields)
    output = starters.node("ChatOutput", "ChatOutput-1")
    return {"name": "Read", "description": "Reads files.", "data": {
        "nodes": [node, output], "edges": [starters.wire(node, "message", output, "input_value")]}}


async def run(service, client, export: dict, inputs: dict | None = None) -> dict:
    flow = await service.flow(client, export)
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": inputs or {}})
    assert response.status_code == 200, response.text
    return response.json()


async def test_files_are_read_and_joined_with_the_separator(service, client, owner_key):
    owner = owner_key[0]
    paths = [await upload(service, owner, "a.pdf", pdf("Page one", "Page two")),
             await upload(service, owner, "b.docx", docx("Alpha", "Beta")),
             await upload(service, owner, "c.md", b"# Notes")]
    body = await run(service, client, file_flow(paths, separator="\n---\n"))
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == "Page one\n\nPage two\n---\nAlpha\n\nBeta\n---\n# Notes"


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("broken.pdf", b"%PDF-1.4 nothing", "broken.pdf: not a readable PDF"),
    ("bomb.docx", zip_bomb(MAX_UNPACKED_BYTES + 1), "bomb.docx: the DOCX would unpack to"),
])
async def test_unreadable_files_fail_the_job_naming_them(service, client, owner_key, name, content, reason):
    path = await upload(service, owner_key[0], name, content)
    body = await run(service, client, file_flow([path]))
    assert body["status"] == "failed"
    assert reason in body["errors"][0]["error"]


async def test_an_unsupported_type_alone_fails_the_job(service, client, owner_key):
    path = await upload(service, owner_key[0], "tool.exe", b"MZ")
    body = await run(service, client, file_flow([path]))
    assert body["status"] == "failed"
    assert "None of the files can be read" in body["errors"][0]["error"]


async def test_another_owners_file_and_a_missing_one_are_not_found(service, client):
    theirs = await upload(service, "someone-else", "secret.txt", b"their secret")
    missing = f"{uuid.uuid4()}/{uuid.uuid4()}.txt"
    for path in (theirs, missing):
        body = await run(service, client, file_flow([path]))
        assert body["status"] == "failed"
        assert body["errors"][0]["error"].endswith(f"File {path} was not found.")
        assert "their secret" not in str(body)


async def test_the_advanced_parser_is_refused_at_upload(service, client):
    response = await client.post("/api/v1/flows/", json=file_flow(["x/y.pdf"], advanced_mode=True))
    assert response.status_code == 400
    assert "Advanced Parser (`advanced_mode`, Docling)" in response.json()["detail"]


async def test_one_csv_file_is_also_a_table(service, client, owner_key):
    path = await upload(service, owner_key[0], "prices.csv", b"product,price\nkettle,25\n")
    node = starters.node("File", "File-1", path=[path])
    node["data"]["node"]["outputs"] = [{"name": "dataframe", "types": ["DataFrame"]},
                                       {"name": "message", "types": ["Message"]}]
    output = starters.node("ChatOutput", "ChatOutput-1")
    export = {"name": "Table", "description": "A CSV as a table.", "data": {
        "nodes": [node, output], "edges": [starters.wire(node, "dataframe", output, "input_value")]}}
    body = await run(service, client, export)
    assert body["status"] == "completed", body
    assert "kettle" in body["outputs"]["ChatOutput-1"]["content"]


async def test_text_sentiment_analysis_reads_the_uploaded_file(service, client, owner_key, fake_openai):
    review = f"The kettle is wonderful and boils quickly ({uuid.uuid4().hex[:6]})."
    path = await upload(service, owner_key[0], "review.txt", review.encode())
    export = starters.load("Text Sentiment Analysis.json")
    file_id = next(n["id"] for n in export["data"]["nodes"] if n["data"]["type"] == "File")
    fake_openai.script(review, fake.text("Positive."))
    body = await run(service, client, export, {f"{file_id}.path": [path]})
    assert body["status"] == "completed", body
    received = fake_openai.received(review)
    assert len(received) >= 2  # the two agents the file feeds
    assert all(review in request["messages"][-1]["content"] for request in received)


async def test_financial_report_parser_reads_the_uploaded_pdf(service, client, owner_key, fake_openai):
    marker = uuid.uuid4().hex[:6]
    path = await upload(service, owner_key[0], "report.pdf", pdf(f"Gross profit {marker}: 1200 euros",
                                                                 "EBITDA: 300 euros"))
    export = starters.load("Financial Report Parser.json")
    file_id = next(n["id"] for n in export["data"]["nodes"] if n["data"]["type"] == "File")
    fake_openai.script(marker, fake.text('{"COMPANY": "Acme", "GROSS_PROFIT": "1200 euros", "EBITDA": "300 euros"}'))
    body = await run(service, client, export, {f"{file_id}.path": [path]})
    assert body["status"] == "completed", body
    (request,) = fake_openai.received(marker)
    assert f"Gross profit {marker}: 1200 euros\n\nEBITDA: 300 euros" in request["messages"][-1]["content"]
    (output,) = body["outputs"].values()
    assert "| Gross Profit | 1200 euros |" in output["content"] and "| EBITDA | 300 euros |" in output["content"]


async def test_portfolio_website_code_generator_reads_the_uploaded_resume(service, client, owner_key, fake_openai):
    marker = uuid.uuid4().hex[:6]
    path = await upload(service, owner_key[0], "resume.docx", docx(f"Ada Lovelace {marker}", "Analyst, 1843"))
    export = starters.load("Portfolio Website Code Generator.json")
    file_id = next(n["id"] for n in export["data"]["nodes"] if n["data"]["type"] == "File")
    fake_openai.script(marker, fake.text("<html>Ada</html>"))
    body = await run(service, client, export, {f"{file_id}.path": [path]})
    assert body["status"] == "completed", body
    (request,) = fake_openai.received(marker)
    assert f"Ada Lovelace {marker}\n\nAnalyst, 1843" in request["messages"][-1]["content"]
    assert [output["content"] for output in body["outputs"].values()] == ["<html>Ada</html>"]
