"""Global variables: `load_from_db` fields resolved from request headers, then the owner's stored
variables (`sluice variables`); and what must never show them. (What the worker's environment lends
a model's key field is in test_tenant_attacks.py.)"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

import flowkit
from conftest import REPOSITORY, Cluster, Service, start_service
from jobwait import wait_for_row, wait_for_status

SECRET_KEY = "test-secret-key-0123456789abcdef"
WORKER_ENV = {"SLUICE_SECRET_KEY": SECRET_KEY, "SLUICE_TEST_FROM_ENV": "value-from-env",
              "SLUICE_TEST_SHADOWED": "env-loses"}


@pytest.fixture(scope="module")
async def service(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster, WORKER_ENV) as running:
        yield running


@pytest.fixture(scope="module")
async def keyless(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster) as running:
        yield running


async def sluice(service: Service, *args: str, key: str | None = SECRET_KEY, stdin: str | None = None,
                 ) -> tuple[int, str, str]:
    env = {**os.environ, "DATABASE_URL": service.database_url}
    env.pop("SLUICE_SECRET_KEY", None)
    if key:
        env["SLUICE_SECRET_KEY"] = key
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sluice", *args, env=env, cwd=REPOSITORY, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate(stdin.encode() if stdin is not None else None)
    return process.returncode or 0, out.decode(), err.decode()


async def store(service: Service, owner: str, name: str, value: str) -> None:
    code, _, err = await sluice(service, "variables", "set", "--owner", owner, name, value)
    assert code == 0, err


def variable_flow(variable: str) -> dict[str, Any]:
    """A Text Input whose value is the global variable `variable`."""
    field = flowkit.field(variable, load_from_db=True)
    return flowkit.export("Variable", [flowkit.node("TextInput-1", "TextInput", {"input_value": field},
                                                    outputs=("text",))], [])


async def resolved(client: Any, service: Service, variable: str, headers: dict[str, str] | None = None) -> str:
    flow = await service.flow(client, variable_flow(variable))
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"]}, headers=headers or {})
    body = response.json()
    assert body["status"] == "completed", body
    return body["outputs"]["TextInput-1"]["content"]


async def test_a_stored_variable_is_resolved_and_kept_encrypted(service, client, owner_key):
    owner = owner_key[0]
    await store(service, owner, "API_TOKEN", "s3cret-value")
    assert await resolved(client, service, "API_TOKEN") == "s3cret-value"
    stored = await service.pool.fetchval("select value from variables where owner = $1 and name = 'API_TOKEN'", owner)
    assert b"s3cret-value" not in stored

    code, out, _ = await sluice(service, "variables", "list", "--owner", owner)
    assert code == 0 and "API_TOKEN" in out and "s3cret-value" not in out


async def test_a_value_may_come_on_standard_input_and_replace_the_old_one(service, client, owner_key):
    owner = owner_key[0]
    await store(service, owner, "PIPED", "old")
    code, out, _ = await sluice(service, "variables", "set", "--owner", owner, "PIPED", stdin="new value\n")
    assert code == 0 and "Replaced" in out
    assert await resolved(client, service, "PIPED") == "new value"
    code, _, _ = await sluice(service, "variables", "delete", "--owner", owner, "PIPED")
    assert code == 0
    assert await resolved(client, service, "PIPED") == ""
    code, _, err = await sluice(service, "variables", "delete", "--owner", owner, "PIPED")
    assert code != 0 and "has no variable PIPED" in err


async def test_the_worker_environment_is_no_fallback_for_a_text_field(service, client, owner_key):
    assert await resolved(client, service, "SLUICE_TEST_FROM_ENV") == ""
    await store(service, owner_key[0], "SLUICE_TEST_SHADOWED", "stored")
    assert await resolved(client, service, "SLUICE_TEST_SHADOWED") == "stored"
    # Unknown everywhere: the field is left empty, as Langflow leaves it (None).
    assert await resolved(client, service, "NO_SUCH_VARIABLE_ANYWHERE") == ""


async def test_a_header_value_wins_for_its_run_only(service, client, owner_key):
    await store(service, owner_key[0], "MODE", "stored")
    headers = {"X-LANGFLOW-GLOBAL-VAR-MODE": "from-header", "x-langflow-global-var-other": "unused"}
    assert await resolved(client, service, "MODE", headers) == "from-header"
    assert await resolved(client, service, "MODE") == "stored"


async def test_another_owners_variable_is_not_visible(service, client):
    other, _ = await service.key()
    await store(service, other, "THEIRS", "not yours")
    assert await resolved(client, service, "THEIRS") == ""


async def test_header_values_never_appear_in_responses_events_or_errors(service, client):
    secret = "top-secret-4711"
    export = flowkit.sleep_flow(0.5)
    # After the sleep (time to look at the stored job), a failing node puts the variable in its error.
    export["data"]["nodes"].append(flowkit.node("Fail-1", "SluiceTestFail", {
        "message": flowkit.field("HIDDEN", load_from_db=True), "input_value": ""}, outputs=("text",)))
    export["data"]["edges"].append(flowkit.edge("Sleep-1", "text", "Fail-1", "input_value"))
    flow = await service.flow(client, export)
    queued = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True},
                               headers={"X-LANGFLOW-GLOBAL-VAR-HIDDEN": secret})
    job_id = queued.json()["job_id"]
    assert secret not in queued.text

    sealed = await wait_for_row(service.pool, "select secrets from job_inputs where job_id = $1::uuid", job_id)
    assert secret.encode() not in sealed
    done = await wait_for_status(client, job_id, "failed")
    assert "***" in done["errors"][0]["error"]
    events = await service.pool.fetch("select data::text as data from job_events where job_id = $1::uuid", job_id)
    listed = await client.get("/api/v2/workflows", params={"job_id": job_id})
    for text in [listed.text, *(row["data"] for row in events)]:
        assert secret not in text
    # Erased with the job's last write.
    assert await service.pool.fetchval("select secrets from job_inputs where job_id = $1::uuid", job_id) is None


async def test_without_a_secret_key_variables_are_refused_clearly(keyless, cluster):
    code, _, err = await sluice(keyless, "variables", "set", "--owner", "someone", "X", "y", key=None)
    assert code != 0 and "SLUICE_SECRET_KEY is not set" in err
    code, _, err = await sluice(keyless, "variables", "set", "--owner", "someone", "X", "y", key="short")
    assert code != 0 and "at least 16 characters" in err

    owner, key = await keyless.key()
    async with keyless.client(key) as client:
        flow = await keyless.flow(client, variable_flow("X"))
        response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"]},
                                     headers={"X-LANGFLOW-GLOBAL-VAR-X": "y"})
        assert response.status_code == 400
        assert response.json()["code"] == "GLOBAL_VARIABLES_UNAVAILABLE"
        # Stored with a key the workers do not have: the run fails saying so.
        await store(keyless, owner, "X", "sealed")
        body = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    assert body["status"] == "failed"
    assert "X is stored encrypted, but SLUICE_SECRET_KEY is not set" in body["errors"][0]["error"]


async def test_the_env_variable_test_flow_is_refused_at_upload_naming_its_custom_node(service, client):
    response = await client.post("/api/v1/flows/", json=flowkit.secret_flow())
    assert response.status_code == 400
    assert "Secret-env (Secret)" in response.json()["detail"]
