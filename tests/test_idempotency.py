"""POST /api/v2/workflows with an `idempotency_key`: a repeat from the same owner returns the
original job instead of running the flow again, also when the repeats race each other."""

from __future__ import annotations

import asyncio

import flowkit
from jobwait import logged_statuses, wait_for_status

INPUT = "ChatInput-echo.input_value"


async def keyed_jobs(service, owner: str, key: str) -> int:
    return await service.pool.fetchval("select count(*) from jobs where owner = $1 and idempotency_key = $2",
                                       owner, key)


async def test_same_key_twice_gives_one_job(service, client, owner_key):
    flow = await service.flow(client, flowkit.echo_flow())
    run = {"flow_id": flow["id"], "background": True, "inputs": {INPUT: "once"}, "idempotency_key": "order-17"}
    first = (await client.post("/api/v2/workflows", json=run)).json()
    await wait_for_status(client, first["job_id"], "completed")
    again = await client.post("/api/v2/workflows", json=run)
    assert again.status_code == 200
    assert again.json()["job_id"] == first["job_id"]
    assert again.json()["status"] == "completed"
    # A sync repeat answers with the original job's result at once.
    sync = (await client.post("/api/v2/workflows", json=run | {"background": False})).json()
    assert sync["job_id"] == first["job_id"]
    assert sync["outputs"]["ChatOutput-echo"]["content"] == "once"
    assert await keyed_jobs(service, owner_key[0], "order-17") == 1
    claims = [event for event in await logged_statuses(service.pool, first["job_id"])
              if event["status"] == "in_progress"]
    assert len(claims) == 1


async def test_concurrent_repeats_give_one_job(service, client, owner_key):
    flow = await service.flow(client, flowkit.echo_flow())
    runs = [{"flow_id": flow["id"], "background": background, "inputs": {INPUT: "race"},
             "idempotency_key": "race-1"} for background in (True, False) * 4]
    answers = await asyncio.gather(*(client.post("/api/v2/workflows", json=run) for run in runs))
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.json()["job_id"] for answer in answers}) == 1
    assert await keyed_jobs(service, owner_key[0], "race-1") == 1


async def test_keys_belong_to_their_owner_and_flow(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    other_flow = await service.flow(client, flowkit.echo_flow("Other"))
    run = {"flow_id": flow["id"], "background": True, "idempotency_key": "shared"}
    mine = (await client.post("/api/v2/workflows", json=run)).json()["job_id"]
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        their_flow = await service.flow(other, flowkit.echo_flow())
        theirs = await other.post("/api/v2/workflows", json=run | {"flow_id": their_flow["id"]})
    assert theirs.status_code == 200
    assert theirs.json()["job_id"] != mine
    reused = await client.post("/api/v2/workflows", json=run | {"flow_id": other_flow["id"]})
    assert reused.status_code == 409
    assert reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert reused.json()["job_id"] == mine


async def test_bad_keys_are_refused(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    for wrong in ("", "k" * 256, 17, ["a"]):
        response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "idempotency_key": wrong})
        assert response.status_code == 400, wrong
        assert response.json()["code"] == "INVALID_REQUEST"
