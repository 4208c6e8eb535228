"""Batching: runs submitted at about the same time are inserted together, and still each land in
their own job (or, with a repeated idempotency key, in the first one); sync waiters read their
results together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

import flowkit
from sluice.batching import Batcher

INPUT = "ChatInput-echo.input_value"


async def test_a_burst_of_runs_shares_transactions(service, client, owner_key):
    flow = await service.flow(client, flowkit.echo_flow())
    texts = [f"burst {n}" for n in range(40)]
    answers = await asyncio.gather(*(
        client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True, "inputs": {INPUT: text}})
        for text in texts
    ))
    assert {answer.status_code for answer in answers} == {200}
    job_ids = [answer.json()["job_id"] for answer in answers]
    assert len(set(job_ids)) == len(texts)
    rows = await service.pool.fetch(
        "select j.id::text as id, i.inputs ->> $2 as text, j.xmin::text as xid"
        " from jobs j join job_inputs i on i.job_id = j.id where j.owner = $1", owner_key[0], INPUT)
    # Each answer names the job holding its own input: no submission landed in another's job.
    assert {row["id"]: row["text"] for row in rows} == dict(zip(job_ids, texts, strict=True))
    # Rows inserted by one statement share its transaction id.
    assert len({row["xid"] for row in rows}) < len(texts)


async def test_a_burst_mixing_keys_gives_one_job_per_key(service, client, owner_key):
    flow = await service.flow(client, flowkit.echo_flow())
    runs = [{"flow_id": flow["id"], "background": True, "inputs": {INPUT: f"run {n}"},
             "idempotency_key": f"key-{n % 3}" if n % 2 else None} for n in range(30)]
    answers = await asyncio.gather(*(client.post("/api/v2/workflows", json=run) for run in runs))
    assert {answer.status_code for answer in answers} == {200}
    by_key: dict[str, set[str]] = {}
    for run, answer in zip(runs, answers, strict=True):
        by_key.setdefault(run["idempotency_key"] or answer.json()["job_id"], set()).add(answer.json()["job_id"])
    assert all(len(jobs) == 1 for jobs in by_key.values())
    assert await service.pool.fetchval("select count(*) from jobs where owner = $1", owner_key[0]) == len(by_key)


async def test_a_failed_write_fails_its_batch_only():
    written: list[list[int]] = []

    async def write(batch: Sequence[int]) -> list[int]:
        written.append(list(batch))
        await asyncio.sleep(0.01)
        if 13 in batch:
            raise ValueError("unlucky batch")
        return [item * 2 for item in batch]

    group: Batcher[int, int] = Batcher(write, max_batch=4, key=lambda item: item % 5 or None)
    results = await asyncio.gather(*(group.submit(item) for item in range(1, 16)), return_exceptions=True)
    failed = {item for batch in written if 13 in batch for item in batch}
    for item, result in zip(range(1, 16), results, strict=True):
        if item in failed:
            assert isinstance(result, ValueError)
        else:
            assert result == item * 2
    assert all(len(batch) <= 4 for batch in written)
    # Items with one key (here: the same remainder, but not 0) never share a batch.
    assert all(len({item % 5 for item in batch if item % 5}) == len([i for i in batch if i % 5]) for batch in written)


@pytest.mark.parametrize("count", [1, 7])
async def test_results_come_back_in_order(count):
    async def write(batch: Sequence[str]) -> list[str]:
        return [text.upper() for text in batch]

    group: Batcher[str, str] = Batcher(write, max_batch=3)
    texts = [f"t{n}" for n in range(count)]
    assert await asyncio.gather(*(group.submit(text) for text in texts)) == [text.upper() for text in texts]


async def test_results_read_together_stay_with_their_owner(service, client, owner_key):
    flow = await service.flow(client, flowkit.echo_flow())
    mine = [(await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "inputs": {INPUT: f"mine {n}"}})
             ).json()["job_id"] for n in range(6)]
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        theirs_flow = await service.flow(other, flowkit.echo_flow())
        theirs = [(await other.post("/api/v2/workflows", json={"flow_id": theirs_flow["id"]})).json()["job_id"]
                  for _ in range(3)]
    # One burst of polls by one owner, for its own jobs and for another owner's.
    answers = await asyncio.gather(*(client.get("/api/v2/workflows", params={"job_id": job_id})
                                     for job_id in [*mine, *theirs] * 3))
    by_job = [(job_id, answer) for job_id, answer in zip([*mine, *theirs] * 3, answers, strict=True)]
    for job_id, answer in by_job:
        if job_id in mine:
            assert answer.status_code == 200
            assert answer.json()["job_id"] == job_id
            assert answer.json()["outputs"]["ChatOutput-echo"]["content"] == f"mine {mine.index(job_id)}"
        else:
            assert answer.status_code == 404
            assert answer.json()["code"] == "JOB_NOT_FOUND"
