"""Time limits and retries, with real worker processes: a job past its maximum run time ends
`timed_out` and frees its slot; a job whose worker vanished is retried up to max_attempts and then
ends `error`/WORKER_LOST; a flow that raises is `failed` at once and never retried."""

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
    """An API with no workers and short leases: each test starts (and kills) its own workers."""
    async with start_service(cluster, {"SLUICE_LEASE_SECONDS": "1"}, workers=0) as started:
        yield started


async def test_flow_limit_and_global_limit_time_jobs_out_and_free_the_slot(bare):
    _, key = await bare.key()
    worker = bare.processes.worker(concurrency=1, SLUICE_JOB_TIMEOUT="2")
    async with bare.client(key) as client:
        limited = await bare.flow(client, flowkit.sleep_flow(30, name="Limited") | {"timeout_seconds": 1})
        assert limited["timeout_seconds"] == 1
        unlimited = await bare.flow(client, flowkit.sleep_flow(30, name="Unlimited"))
        quick = await bare.flow(client, flowkit.echo_flow())

        for flow, limit in ((limited, "1"), (unlimited, "2")):
            body = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
            assert body["status"] == "timed_out"
            assert body["errors"][0]["code"] == "JOB_TIMEOUT"
            assert f"limit of {limit} seconds" in body["errors"][0]["error"]
            row = await bare.pool.fetchrow("select status, error_code, finished_at from jobs where id = $1",
                                           body["job_id"])
            assert (row["status"], row["error_code"]) == ("timed_out", "JOB_TIMEOUT")
            assert row["finished_at"] is not None
            end = await bare.pool.fetchval(
                "select data from job_events where job_id = $1 order by seq desc limit 1", body["job_id"])
            assert end["status"] == "timed_out"

        # Concurrency 1: this runs only because the timed-out jobs gave their slot back.
        body = (await client.post("/api/v2/workflows", json={"flow_id": quick["id"]})).json()
        assert body["status"] == "completed"
    assert await asyncio.to_thread(bare.processes.stop, worker) == 0


async def test_flow_timeout_is_checked_and_kept_across_updates(bare):
    _, key = await bare.key()
    async with bare.client(key) as client:
        for wrong in (0, -5, 1.5, "60", True):
            response = await client.post("/api/v1/flows/", json=flowkit.echo_flow() | {"timeout_seconds": wrong})
            assert response.status_code == 400, wrong
            assert response.json()["code"] == "INVALID_REQUEST"
            assert "timeout_seconds" in response.json()["detail"]
        flow = await bare.flow(client, flowkit.echo_flow() | {"timeout_seconds": 90})
        renamed = await client.put(f"/api/v1/flows/{flow['id']}", json={"name": "Renamed"})
        assert renamed.json()["timeout_seconds"] == 90
        cleared = await client.put(f"/api/v1/flows/{flow['id']}", json={"timeout_seconds": None})
        assert cleared.json()["timeout_seconds"] is None


async def test_worker_lost_three_times_ends_in_error_worker_lost(bare):
    _, key = await bare.key()
    async with bare.client(key) as client:
        flow = await bare.flow(client, flowkit.sleep_flow(60))
        job_id = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
                  ).json()["job_id"]
        for attempt in (1, 2, 3):
            worker = bare.processes.worker(concurrency=1)
            await wait_for_row(bare.pool, "select true from jobs where id = $1 and status = 'in_progress' "
                               "and attempt = $2", job_id, attempt)
            worker.send_signal(signal.SIGKILL)
            await asyncio.to_thread(worker.wait)
        rescuer = bare.processes.worker(concurrency=1)
        body = await wait_for_status(client, job_id, "error")
        assert body["errors"][0]["code"] == "WORKER_LOST"
        assert body["metadata"]["attempt"] == 3
        history = [(event["status"], event.get("attempt"), event.get("reason"))
                   for event in await logged_statuses(bare.pool, job_id)]
        assert history == [("queued", None, None),
                           ("in_progress", 1, None), ("queued", 1, "worker_lost"),
                           ("in_progress", 2, None), ("queued", 2, "worker_lost"),
                           ("in_progress", 3, None), ("error", 3, "worker_lost")]
    assert await asyncio.to_thread(bare.processes.stop, rescuer) == 0


async def test_flow_that_raises_fails_at_once_without_retry(bare):
    _, key = await bare.key()
    worker = bare.processes.worker(concurrency=1)
    async with bare.client(key) as client:
        export = flowkit.export("Failing", [
            flowkit.node("ChatInput-a", "ChatInput", {"input_value": "x"}),
            flowkit.node("Fail-b", "SluiceTestFail", {"message": "no luck", "input_value": ""}, outputs=("text",)),
        ], [flowkit.edge("ChatInput-a", "message", "Fail-b", "input_value")])
        flow = await bare.flow(client, export)
        body = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
        assert body["status"] == "failed"
        row = await bare.pool.fetchrow("select status, attempt from jobs where id = $1", body["job_id"])
        assert (row["status"], row["attempt"]) == ("failed", 1)
        claims = [event for event in await logged_statuses(bare.pool, body["job_id"])
                  if event["status"] == "in_progress"]
        assert len(claims) == 1
    assert await asyncio.to_thread(bare.processes.stop, worker) == 0
