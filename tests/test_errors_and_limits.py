"""Contract, Errors: every error body is `{"detail": "<one sentence>", "code": "<UPPER_SNAKE>", ...ids}`;
400, 401, 404, 405, 408, 413 as the contract lists them; nothing answers with a traceback."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

import flowkit
from jobwait import wait_for_status, wait_until
from sluice.store import keys

LIMIT = 4096
CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"] and "Traceback" not in body["detail"]
    assert CODE.match(body["code"])
    return body


@pytest.fixture(scope="module")
def limited(service) -> str:
    """Another API process on the same database, with a small body limit and a short sync timeout."""
    return service.processes.api(SLUICE_MAX_BODY_BYTES=str(LIMIT), SLUICE_SYNC_TIMEOUT="0.5")


async def raw_request(base_url: str, head: str, body: bytes = b"") -> tuple[int, dict]:
    """Send a request's head and the start of a body, never finishing it; return the answer."""
    address = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=10)
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        content = await reader.readexactly(int(headers["content-length"]))
        return int(status_line.split()[1]), orjson.loads(content)
    finally:
        writer.close()


async def test_declared_body_over_the_limit_is_413_before_any_of_it_is_sent(limited, owner_key):
    """Contract: 413 body too large — a declared Content-Length over SLUICE_MAX_BODY_BYTES is refused
    before the body is read (here none of it is ever sent)."""
    head = (f"POST /api/v2/workflows HTTP/1.1\nHost: test\nx-api-key: {owner_key[1]}\n"
            f"Content-Type: application/json\nContent-Length: {100 * 1024 * 1024}\n")
    status, body = await raw_request(limited, head)
    assert status == 413
    assert body["code"] == "PAYLOAD_TOO_LARGE" and isinstance(body["detail"], str)


async def test_chunked_body_over_the_limit_is_413_before_it_ends(limited, owner_key):
    """Contract: 413 body too large — a chunked body (no declared length) is refused as soon as it passes
    the limit; the body here never ends, so an answer proves it was not read whole."""
    for path in ("/api/v2/workflows", "/api/v1/flows/"):
        head = (f"POST {path} HTTP/1.1\nHost: test\nx-api-key: {owner_key[1]}\n"
                "Content-Type: application/json\nTransfer-Encoding: chunked\n")
        chunk = b"x" * (LIMIT + 1)
        status, body = await raw_request(limited, head, b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert status == 413
        assert body["code"] == "PAYLOAD_TOO_LARGE"


async def test_body_within_the_limit_is_accepted(limited, service, client, owner_key):
    """Contract: 413 only past the limit: a body of the limit's size is read normally."""
    flow = await service.flow(client, flowkit.echo_flow())  # an export larger than the limit
    async with service.client(owner_key[1], base_url=limited) as client:
        # In the background: this API process's short sync timeout is not what is tested here.
        body = {"flow_id": flow["id"], "background": True,
                "inputs": {"ChatInput-echo.input_value": "y" * (LIMIT - 200)}}
        assert len(orjson.dumps(body)) <= LIMIT
        response = await client.post("/api/v2/workflows", json=body)
        assert response.status_code == 200, response.text
        done = await wait_for_status(client, response.json()["job_id"], "completed")
    assert done["outputs"]["ChatOutput-echo"]["content"] == "y" * (LIMIT - 200)


async def test_sync_timeout_is_408_with_the_job_id_and_the_job_keeps_running(limited, service, owner_key):
    """Contract: sync — past SLUICE_SYNC_TIMEOUT seconds: 408 with code EXECUTION_TIMEOUT and the job_id;
    the job keeps running and its result is fetched with GET."""
    async with service.client(owner_key[1], base_url=limited) as client:
        flow = await service.flow(client, flowkit.sleep_flow(1.5))
        response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})
        body = assert_error(response, 408, "EXECUTION_TIMEOUT")
        done = await wait_for_status(client, body["job_id"], "completed")
        assert done["outputs"]["ChatOutput-out"]["status"] == "completed"


async def test_a_sync_client_that_disconnects_does_not_cancel_the_job(service, client):
    """Contract: sync — a client that disconnects does not cancel the job."""
    flow = await service.flow(client, flowkit.sleep_flow(1.0))
    with pytest.raises(httpx.ReadTimeout):
        await client.post("/api/v2/workflows", json={"flow_id": flow["id"]}, timeout=0.3)
    job_id = await service.pool.fetchval("select id::text from jobs where flow_id = $1", flow["id"])
    assert (await wait_for_status(client, job_id, "completed"))["status"] == "completed"


@pytest.mark.parametrize(("content", "code"), [
    (b"{not json", "INVALID_JSON"),
    (b"", "INVALID_JSON"),
    (b"[1, 2]", "INVALID_REQUEST"),
    (b'{"flow_id": 7}', "INVALID_REQUEST"),
    (b'{"flow_id": "x", "background": "yes"}', "INVALID_REQUEST"),
    (b'{"flow_id": "x", "inputs": []}', "INVALID_REQUEST"),
    (b'{"flow_id": "x", "colour": "blue"}', "INVALID_REQUEST"),
    (b'{"inputs": {}}', "INVALID_REQUEST"),
    (b'{"flow_id": "x", "background": true, "stream": true}', "INVALID_REQUEST"),
])
async def test_invalid_run_requests_are_400(client, content, code):
    """Contract: 400 invalid request (bad JSON, wrong types, unknown fields; `background` and `stream`
    both true)."""
    response = await client.post("/api/v2/workflows", content=content, headers={"content-type": "application/json"})
    assert_error(response, 400, code)


async def test_bad_inputs_keys_are_400_naming_the_key_and_the_valid_components(service, client):
    """Contract: unknown component, unknown parameter: 400 naming the key and listing the valid component ids."""
    flow = await service.flow(client, flowkit.echo_flow())
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {"Nope-1.x": 1}})
    body = assert_error(response, 400, "INVALID_INPUTS")
    assert body["key"] == "Nope-1.x" and body["flow_id"] == flow["id"]
    assert "ChatInput-echo" in body["detail"]


@pytest.mark.parametrize("params", [{}, {"job_id": ""}, {"job_id": "12"}])
async def test_missing_or_malformed_job_id_is_400(client, params):
    """Contract: GET /api/v2/workflows — missing `job_id` or not a UUID: 400."""
    assert_error(await client.get("/api/v2/workflows", params=params), 400, "INVALID_REQUEST")


async def test_unknown_job_is_404_job_not_found(client):
    """Contract: GET /api/v2/workflows — unknown or not yours: 404 JOB_NOT_FOUND (with the job_id)."""
    job_id = "4b5cc8a4-4f5e-4a38-9d0a-3f1f8a6f0a11"
    for path, call in (("get", client.get("/api/v2/workflows", params={"job_id": job_id})),
                       ("stop", client.post("/api/v2/workflows/stop", json={"job_id": job_id}))):
        body = assert_error(await call, 404, "JOB_NOT_FOUND")
        assert body["job_id"] == job_id, path


async def test_missing_unknown_and_revoked_keys_are_401(service, owner_key):
    """Contract: Missing, unknown or revoked key: 401 — on every /api route."""
    owner, key = await service.key()
    async with service.client(key) as client:
        assert (await client.get("/api/v1/flows/")).status_code == 200
        key_id = next(row["id"] for row in await keys.list_all(service.pool, owner))
        assert await keys.revoke(service.pool, key_id)

        async def refused() -> bool:  # once the revocation's NOTIFY reached the API process
            return (await client.get("/api/v1/flows/")).status_code == 401

        await wait_until(refused, "a revoked key is refused")
        assert_error(await client.get("/api/v1/flows/"), 401, "UNAUTHORIZED")
    requests = [("GET", "/api/v1/flows/"), ("POST", "/api/v1/flows/"), ("GET", "/api/v1/flows/x"),
                ("GET", "/api/v1/flows/x/versions"), ("POST", "/api/v2/workflows"),
                ("GET", "/api/v2/workflows"), ("POST", "/api/v2/workflows/stop"), ("GET", "/api/v2/files/x")]
    for key_value in (None, "sk-unknown"):
        async with service.client(key_value) as client:
            for method, path in requests:
                assert_error(await client.request(method, path), 401, "UNAUTHORIZED")


async def test_unknown_route_is_404_json(client):
    """Contract: Errors — every error is the contract's body: an unknown route is a 404 in JSON."""
    for path in ("/nope", "/api/v3/workflows", "/api/v2/nothing-here"):
        assert_error(await client.get(path), 404, "NOT_FOUND")


async def test_wrong_method_is_405_json_listing_the_allowed_methods(client):
    """Contract: Errors — every error is the contract's body: a wrong method is a 405 in JSON, with Allow."""
    response = await client.delete("/api/v2/workflows")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    response = await client.get("/api/v2/workflows/stop")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"
    response = await client.post("/api/v1/flows/4b5cc8a4-4f5e-4a38-9d0a-3f1f8a6f0a11")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT", "PATCH", "DELETE"}


async def test_text_the_database_cannot_store_is_400_not_500(service, client):
    """Contract: 400 invalid request, 500 only for the unexpected: a NUL character (which PostgreSQL text and
    jsonb cannot hold) in a flow reference, a version or an input value is the caller's mistake."""
    flow = await service.flow(client, flowkit.echo_flow())
    for body in ({"flow_id": "echo\u0000"},
                 {"flow_id": flow["id"], "flow_version": "v\u0000"},
                 {"flow_id": flow["id"], "inputs": {"ChatInput-echo.input_value": "a\u0000b"}},
                 {"flow_id": flow["id"], "background": True, "inputs": {"ChatInput-echo.input_value": "\u0000"}}):
        assert_error(await client.post("/api/v2/workflows", json=body), 400, "INVALID_REQUEST")
    assert_error(await client.post("/api/v1/flows/", json=flowkit.echo_flow("Nul\u0000")), 400, "INVALID_REQUEST")


async def test_stop_needs_a_uuid_job_id(client):
    """Contract: POST /api/v2/workflows/stop, body `{"job_id"}`: a missing or malformed job_id is a 400."""
    for body in ({}, {"job_id": "12"}, {"job_id": 12}, {"job_id": "4b5cc8a4-4f5e-4a38-9d0a-3f1f8a6f0a11", "x": 1}):
        assert_error(await client.post("/api/v2/workflows/stop", json=body), 400, "INVALID_REQUEST")
