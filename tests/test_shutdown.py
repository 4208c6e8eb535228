"""SIGTERM: a worker stops claiming at once, lets running jobs finish within SLUICE_SHUTDOWN_GRACE,
hands the rest back to the queue without counting the attempt, and exits 0. The API answers its
open sync runs before it goes. Real worker and API processes, real signals."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import pytest

import flowkit
from conftest import Cluster, Service, start_service
from jobwait import logged_statuses, wait_for_row, wait_for_status


@pytest.fixture(scope="module")
async def bare(cluster: Cluster) -> AsyncIterator[Service]:
    """An API with no workers: each test starts and stops its own."""
    async with start_service(cluster, workers=0) as started:
        yield started


async def background(client, flow_id: str) -> str:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "background": True})
    assert response.status_code == 200, response.text
    return response.json()["job_id"]


async def test_unfinished_job_is_handed_back_uncounted_and_completes_elsewhere(bare):
    _, key = await bare.key()
    async with bare.client(key) as client:
        flow = await bare.flow(client, flowkit.sleep_flow(4))
        first = bare.processes.worker(concurrency=2, SLUICE_SHUTDOWN_GRACE="1")
        job_id = await background(client, flow["id"])
        await wait_for_status(client, job_id, "in_progress")

        assert await asyncio.to_thread(bare.processes.stop, first) == 0

        row = await bare.pool.fetchrow("select status, attempt, worker_id from jobs where id = $1", job_id)
        assert (row["status"], row["attempt"], row["worker_id"]) == ("queued", 0, None)
        handed_back = (await logged_statuses(bare.pool, job_id))[-1]
        assert handed_back == {"status": "queued", "reason": "shutdown", "attempt": 1}

        second = bare.processes.worker(concurrency=2)
        done = await wait_for_status(client, job_id, "completed")
        assert done["metadata"]["attempt"] == 1
        claims = [event for event in await logged_statuses(bare.pool, job_id) if event["status"] == "in_progress"]
        assert [event["attempt"] for event in claims] == [1, 1]
        assert claims[0]["worker"] != claims[1]["worker"]
        assert await asyncio.to_thread(bare.processes.stop, second) == 0


async def test_stopping_worker_claims_nothing_and_finishes_within_its_grace(bare):
    _, key = await bare.key()
    async with bare.client(key) as client:
        flow = await bare.flow(client, flowkit.sleep_flow(1.5))
        worker = bare.processes.worker(concurrency=4, SLUICE_SHUTDOWN_GRACE="20")
        running = await background(client, flow["id"])
        await wait_for_status(client, running, "in_progress")
        worker.send_signal(signal.SIGTERM)
        await wait_for_row(bare.pool, "select true from workers where stopping_since is not null")
        later = await background(client, flow["id"])

        assert await asyncio.to_thread(worker.wait, 30) == 0

        assert (await wait_for_status(client, running, "completed"))["metadata"]["attempt"] == 1
        assert await bare.pool.fetchval("select status from jobs where id = $1", later) == "queued"
        assert await bare.pool.fetchval("select count(*) from workers") == 0
        other = bare.processes.worker()
        await wait_for_status(client, later, "completed")
        await asyncio.to_thread(bare.processes.stop, other)


async def test_api_answers_open_sync_runs_before_it_stops(bare):
    _, key = await bare.key()
    worker = bare.processes.worker(concurrency=4, SLUICE_SHUTDOWN_GRACE="1")
    api_url = bare.processes.api(SLUICE_SHUTDOWN_GRACE="4")
    api = bare.processes.started[-1]
    async with bare.client(key) as client, bare.client(key, base_url=api_url) as closing:
        quick = await bare.flow(client, flowkit.sleep_flow(1, name="Quick"))
        slow = await bare.flow(client, flowkit.sleep_flow(60, name="Slow"))
        followed = await background(client, slow["id"])
        quick_run = asyncio.create_task(closing.post("/api/v2/workflows", json={"flow_id": quick["id"]}))
        slow_run = asyncio.create_task(closing.post("/api/v2/workflows", json={"flow_id": slow["id"]}))
        await wait_for_row(bare.pool, "select count(*) = 3 from jobs where status = 'in_progress'")
        async with closing.stream("GET", "/api/v2/workflows", params={"job_id": followed, "stream": "true"}) as feed:
            assert feed.status_code == 200
            chunks = feed.aiter_bytes()
            assert b"event: status" in await anext(chunks)
            api.send_signal(signal.SIGTERM)
            # The stream ends cleanly (an abrupt close would raise here) before the job ends.
            rest = b"".join([chunk async for chunk in chunks])
        assert b"event: end" not in rest

        finished = await quick_run
        assert finished.status_code == 200
        assert finished.json()["status"] == "completed"
        told_to_poll = await slow_run
        assert told_to_poll.status_code == 503
        body = told_to_poll.json()
        assert body["code"] == "SHUTTING_DOWN"
        assert (await client.get("/api/v2/workflows", params={"job_id": body["job_id"]})).json()["status"] == \
            "in_progress"
        assert await asyncio.to_thread(api.wait, 30) == 0
        for job_id in (body["job_id"], followed):
            stopped = await client.post("/api/v2/workflows/stop", json={"job_id": job_id})
            assert stopped.json()["status"] == "cancelled"
    await asyncio.to_thread(bare.processes.stop, worker)
