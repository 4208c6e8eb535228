"""Knowledge bases through the API: made from uploaded PDF, DOCX and CSV files by an ingestion job,
searched by cosine distance in pgvector, and invisible to other owners."""

from __future__ import annotations

import uuid

import httpx
import pytest

import starters
from conftest import start_service
from documents import docx, pdf, zip_bomb
from fake_openai import EMBEDDING_MODEL, vector
from flowkit import DEMO_FLOWS, load
from jobwait import wait_for_status
from sluice import db
from sluice.engine.parsing import MAX_UNPACKED_BYTES
from sluice.models import KnowledgeChunk
from sluice.store import knowledge, migrate

REPORT = pdf("Quarterly revenue rose to 12 million euros in the northern region.",
             "Operating costs fell because the warehouse moved to Lyon.")
HANDBOOK = docx("Employees may work remotely on Fridays.", "The office closes at seven in the evening.")
PRICES = b"product,price\nkettle,25\ntoaster,40\nblender,65\n"


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    # A secret key, so the dashboard signs in.
    env = fake_openai.env() | {"SLUICE_SECRET_KEY": "knowledge-test-secret-key"}
    async with start_service(cluster, env) as started:
        yield started


async def create(client, name: str) -> dict:
    response = await client.post("/api/v1/knowledge_bases", json={
        "name": name, "embedding_provider": "OpenAI", "embedding_model": EMBEDDING_MODEL})
    assert response.status_code == 201, response.text
    return response.json()


async def ingest(client, name: str, files: list[tuple[str, bytes, str]], **form: str) -> dict:
    response = await client.post(f"/api/v1/knowledge_bases/{name}/ingest",
                                 files=[("files", item) for item in files], data=form)
    assert response.status_code == 200, response.text
    return await wait_for_status(client, response.json()["id"], {"completed", "failed", "error"})


async def built(client, name: str) -> dict:
    await create(client, name)
    job = await ingest(client, name, [("report.pdf", REPORT, "application/pdf"),
                                      ("handbook.docx", HANDBOOK, "application/octet-stream"),
                                      ("prices.csv", PRICES, "text/csv")], chunk_size="80", chunk_overlap="10")
    assert job["status"] == "completed", job
    return job


async def test_uploaded_files_become_chunks_that_search_finds(service, client):
    name = f"docs_{uuid.uuid4().hex[:6]}"
    await built(client, name)
    info = (await client.get(f"/api/v1/knowledge_bases/{name}")).json()
    assert info["status"] == "ready" and info["embedding_model"] == EMBEDDING_MODEL
    page = (await client.get(f"/api/v1/knowledge_bases/{name}/chunks", params={"limit": 100})).json()
    contents = [chunk["content"] for chunk in page["chunks"]]
    assert page["total"] == len(contents) == info["chunks"]
    # 80-character chunks of each file, in the order they were stored.
    assert contents[0] == "Quarterly revenue rose to 12 million euros in the northern region."
    assert "Employees may work remotely on Fridays." in contents
    assert "product,price\nkettle,25\ntoaster,40\nblender,65" in contents
    assert all(len(text) <= 80 for text in contents)
    assert {chunk["metadata"]["file_name"] for chunk in page["chunks"]} == {"report.pdf", "handbook.docx",
                                                                             "prices.csv"}
    searched = (await client.get(f"/api/v1/knowledge_bases/{name}/chunks", params={"search": "WAREHOUSE"})).json()
    assert [chunk["content"] for chunk in searched["chunks"]] == [
        "Operating costs fell because the warehouse moved to Lyon."]

    base = await knowledge.find(service.pool, (await service_owner(service, client)), name)
    hits = await knowledge.search(service.pool, base, vector("can employees work remotely"), 2)
    assert hits[0].content == "Employees may work remotely on Fridays."
    assert hits[0].distance < hits[1].distance


async def service_owner(service, client) -> str:
    return await service.pool.fetchval("select owner from jobs order by created_at desc limit 1")


async def test_a_paged_listing_counts_every_chunk(service, client):
    name = f"paged_{uuid.uuid4().hex[:6]}"
    await create(client, name)
    text = " ".join(f"word{index}" for index in range(300)).encode()
    assert (await ingest(client, name, [("long.txt", text, "text/plain")], chunk_size="50",
                         chunk_overlap="0"))["status"] == "completed"
    first = (await client.get(f"/api/v1/knowledge_bases/{name}/chunks", params={"limit": 10})).json()
    last = (await client.get(f"/api/v1/knowledge_bases/{name}/chunks",
                             params={"limit": 10, "page": first["total_pages"]})).json()
    assert first["total"] == last["total"] > 40
    assert last["chunks"][-1]["content"].endswith("word299")
    assert len(first["chunks"]) == 10


@pytest.mark.parametrize(("file", "reason"), [
    (("broken.pdf", b"%PDF-1.4 nothing here", "application/pdf"), "broken.pdf: not a readable PDF"),
    (("bomb.docx", zip_bomb(MAX_UNPACKED_BYTES + 1), "application/octet-stream"), "bomb.docx: the DOCX would unpack"),
    (("tool.exe", b"MZ", "application/octet-stream"), "tool.exe: files of type .exe cannot be read"),
])
async def test_a_file_that_cannot_be_read_fails_the_ingestion_naming_it(service, client, file, reason):
    name = f"bad_{uuid.uuid4().hex[:6]}"
    await create(client, name)
    job = await ingest(client, name, [file])
    assert job["status"] == "failed"
    assert reason in job["errors"][0]["error"]
    info = (await client.get(f"/api/v1/knowledge_bases/{name}")).json()
    assert (info["status"], info["chunks"]) == ("failed", 0)


async def test_bad_requests_are_refused_clearly(service, client):
    name = f"refuse_{uuid.uuid4().hex[:6]}"
    await create(client, name)
    again = await client.post("/api/v1/knowledge_bases", json={
        "name": name, "embedding_provider": "OpenAI", "embedding_model": EMBEDDING_MODEL})
    assert (again.status_code, again.json()["code"]) == (409, "KNOWLEDGE_BASE_EXISTS")
    short = await client.post("/api/v1/knowledge_bases", json={
        "name": "ab", "embedding_provider": "OpenAI", "embedding_model": EMBEDDING_MODEL})
    assert short.status_code == 400
    overlap = await client.post(f"/api/v1/knowledge_bases/{name}/ingest", data={"chunk_size": "10",
                                "chunk_overlap": "20"}, files=[("files", ("a.txt", b"x", "text/plain"))])
    assert (overlap.status_code, overlap.json()["detail"]) == (
        400, "Chunk overlap (20) can't be larger than chunk size (10).")
    empty = await client.post(f"/api/v1/knowledge_bases/{name}/ingest", data={"chunk_size": "10"})
    assert empty.status_code == 400


async def test_another_owners_knowledge_base_is_not_found(service, client):
    name = f"mine_{uuid.uuid4().hex[:6]}"
    await built(client, name)
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        assert (await other.get("/api/v1/knowledge_bases")).json() == []
        for response in (await other.get(f"/api/v1/knowledge_bases/{name}"),
                         await other.get(f"/api/v1/knowledge_bases/{name}/chunks"),
                         await other.post(f"/api/v1/knowledge_bases/{name}/ingest",
                                          files=[("files", ("a.txt", b"x", "text/plain"))]),
                         await other.delete(f"/api/v1/knowledge_bases/{name}")):
            assert (response.status_code, response.json()["code"]) == (404, "KNOWLEDGE_BASE_NOT_FOUND")
        # The same name is free for them, and theirs stays apart from the first owner's.
        await create(other, name)
        assert (await other.get(f"/api/v1/knowledge_bases/{name}")).json()["chunks"] == 0
    assert (await client.get(f"/api/v1/knowledge_bases/{name}")).json()["chunks"] > 0


async def test_a_deleted_knowledge_base_is_gone_and_its_name_free(service, client):
    name = f"gone_{uuid.uuid4().hex[:6]}"
    await built(client, name)
    assert (await client.delete(f"/api/v1/knowledge_bases/{name}")).status_code == 200
    assert (await client.get(f"/api/v1/knowledge_bases/{name}")).status_code == 404
    assert (await create(client, name))["chunks"] == 0
    pruned = await knowledge.prune(service.pool, batch=2)
    assert pruned > 0
    left = await service.pool.fetchval(
        "select count(*) from knowledge_bases where name = $1 and deleted_at is not null", name)
    assert left == 0


async def test_without_pgvector_the_knowledge_base_api_says_so_and_the_rest_works(cluster):
    """A database whose migrations ran as a role that may not create extensions (as on a user's own
    server without pgvector): the migration records why, the knowledge-base API answers 503 saying so,
    and flows still run."""
    suffix = uuid.uuid4().hex[:8]
    role, database = f"plain_{suffix}", f"novector_{suffix}"
    cluster.server.psql(f"create role {role} login password 'plain-password'")
    cluster.server.psql(f'create database "{database}" owner {role}')
    url = f"postgresql://{role}:plain-password@127.0.0.1:{cluster.server.port}/{database}"
    conn = await db.connect(url)
    try:
        await migrate.migrate(conn)
        recorded = await conn.fetchrow("select available, detail from database_features where name = 'vector'")
        assert recorded["available"] is False and "permission denied" in recorded["detail"]
        assert await conn.fetchval("select to_regclass('knowledge_chunks')") is None
    finally:
        await conn.close()
    async with start_service(cluster, workers=1, database_url=url) as plain:
        _, key = await plain.key()
        async with plain.client(key) as client:
            refused = await client.get("/api/v1/knowledge_bases")
            assert (refused.status_code, refused.json()["code"]) == (503, "VECTOR_EXTENSION_MISSING")
            assert refused.json()["detail"].startswith(
                "Knowledge bases need PostgreSQL's `vector` extension (pgvector), which this database does not have")
            needs = await client.post("/api/v1/flows/", json=starters.load("Knowledge Retrieval.json"))
            assert (needs.status_code, needs.json()["code"]) == (400, "VECTOR_EXTENSION_MISSING")
            assert needs.json()["detail"] == refused.json()["detail"]
            flow = await plain.flow(client, load(DEMO_FLOWS / "echo.json"))
            ran = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": False,
                                                               "inputs": {"ChatInput-demo.input_value": "hi"}})
            assert ran.status_code == 200 and ran.json()["status"] == "completed", ran.text


async def test_a_flow_cannot_ingest_into_or_from_another_owner(service, client):
    """A tenant uploads a flow with Sluice's own ingestion node naming the victim's knowledge base id
    and the victim's stored file id: the job fails as if neither existed, and the victim's knowledge
    base is unchanged."""
    name = f"victim_{uuid.uuid4().hex[:6]}"
    await built(client, name)
    victim = (await client.get(f"/api/v1/knowledge_bases/{name}")).json()
    file_id = await service.pool.fetchval(
        "select f.id from files f join knowledge_bases k on k.last_job_id = f.job_id where k.id = $1 limit 1",
        uuid.UUID(victim["id"]))
    _, attacker_key = await service.key()
    async with service.client(attacker_key) as attacker:
        own = (await create(attacker, name))["id"]
        for base_id, files in ((victim["id"], []), (own, [str(file_id)])):
            export = {"name": "Steal", "data": {"nodes": [{"id": "Ingest-1", "data": {
                "id": "Ingest-1", "type": "SluiceKnowledgeIngestion", "node": {
                    "template": {"knowledge_base_id": {"type": "str", "value": base_id},
                                 "file_ids": {"type": "str", "list": True, "value": files}},
                    "outputs": [{"name": "result", "types": ["Data"]}]}}}], "edges": []}}
            flow = await service.flow(attacker, export)
            body = (await attacker.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
            assert body["status"] == "failed"
            assert body["errors"][0]["error"].endswith(
                f"Knowledge base {base_id} was not found (it may have been deleted)." if not files
                else f"File {file_id} was not found.")
    assert (await client.get(f"/api/v1/knowledge_bases/{name}")).json()["chunks"] == victim["chunks"]


async def test_an_ingestion_job_is_shown_on_the_dashboard_by_its_knowledge_base(service, client, owner_key):
    name = f"shown_{uuid.uuid4().hex[:6]}"
    job = await built(client, name)
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as browser:
        assert (await browser.post("/ui/signin", data={"api_key": owner_key[1]})).status_code == 303
        page = (await browser.get("/ui/jobs")).text
    assert f"ingestion into {name}" in page
    assert job["job_id"] in page


async def test_chunks_stored_again_under_their_ids_are_stored_once(service, client, owner_key):
    """What a retried ingestion job does (its chunk ids are named by job, file and position)."""
    name = f"again_{uuid.uuid4().hex[:6]}"
    await create(client, name)
    base = await knowledge.find(service.pool, owner_key[0], name)
    chunks = [KnowledgeChunk(uuid.uuid5(base.id, str(index)), f"text {index}", {}, tuple(vector(f"text {index}")))
              for index in range(3)]
    await knowledge.add_chunks(service.pool, base, chunks)
    await knowledge.add_chunks(service.pool, base, chunks)
    assert (await client.get(f"/api/v1/knowledge_bases/{name}")).json()["chunks"] == 3


async def test_vectors_reach_pgvector_exactly_and_a_nan_is_refused(cluster):
    conn = await db.connect(cluster.new_database())
    try:
        await conn.execute("create extension if not exists vector")
        values = (0.1, -1.0000000000000002e-07, 3.4e38, 1 / 3, 2.0)
        stored = await conn.fetchval("select $1::vector::text", knowledge._vector(values))
        # pgvector keeps float4: the numbers arrive as the nearest float4, none lost or reordered.
        assert [float(text) for text in stored.strip("[]").split(",")] == pytest.approx(values, rel=1e-6)
    finally:
        await conn.close()
    with pytest.raises(ValueError, match="not a finite number"):
        knowledge._vector((0.5, float("nan")))
