"""Contract, POST /api/v2/workflows/stop: a queued job becomes `cancelled` at once; a running job is
interrupted and becomes `cancelled`; a job already in a terminal state is left as it is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import flowkit
from conftest import Cluster, Service, start_service
from jobwait import wait_for_status
from sse import follow


@pytest.fixture(scope="module")
async def no_workers(cluster: Cluster) -> AsyncIterator[Service]:
    """An API with no worker in front of its own database: jobs stay queued."""
    async with start_service(cluster, workers=0) as started:
        yield started


async def test_a_queued_job_is_cancelled_at_once(no_workers):
    """Contract: A queued job becomes `cancelled` at once: 200 `{"job_id", "message": "Job <id> cancelled
    successfully."}`; its event stream ends with the cancellation."""
    _, key = await no_workers.key()
    async with no_workers.client(key) as client:
        flow = await no_workers.flow(client, flowkit.echo_flow())
        queued = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
        job_id = queued.json()["job_id"]
        response = await client.post("/api/v2/workflows/stop", json={"job_id": job_id})
        assert response.status_code == 200
        assert response.json() == {"job_id": job_id, "status": "cancelled",
                                   "message": f"Job {job_id} cancelled successfully."}
        body = (await client.get("/api/v2/workflows", params={"job_id": job_id})).json()
        assert body["status"] == "cancelled"
        assert body["errors"][0]["code"] == "CANCELLED"
        log = await follow(client, job_id)
        assert [(event.event, event.data.get("status")) for event in log] == [
            ("status", "queued"), ("status", "cancelled"), ("end", "cancelled")]


async def test_a_running_job_is_interrupted_and_cancelled(cluster):
    """Contract: a running job is interrupted and becomes `cancelled`; its worker's late writes change nothing."""
    async with start_service(cluster, workers=0) as own:
        worker = own.processes.worker(concurrency=1)
        _, key = await own.key()
        async with own.client(key) as client:
            flow = await own.flow(client, flowkit.sleep_flow(1.0))
            job_id = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
                      ).json()["job_id"]
            await wait_for_status(client, job_id, "in_progress")
            response = await client.post("/api/v2/workflows/stop", json={"job_id": job_id})
            assert response.json()["message"] == f"Job {job_id} cancelled successfully."
            assert (await client.get("/api/v2/workflows", params={"job_id": job_id})).json()["status"] == "cancelled"
            # Once its worker has exited, whatever it was going to write has been written (or fenced off):
            # nothing was appended after the cancellation.
            assert await asyncio.to_thread(own.processes.stop, worker) == 0
            log = await follow(client, job_id)
    assert [event.event for event in log[-2:]] == ["status", "end"]
    assert log[-1].data["status"] == "cancelled"
    assert not any(event.event == "component_end" and event.data["component_id"] == "Sleep-1" for event in log)


async def test_stopping_a_finished_job_leaves_it_as_it_is(service, client):
    """Contract: A job already in a terminal state is left as it is: 200 with a message saying so."""
    flow = await service.flow(client, flowkit.echo_flow())
    done = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    response = await client.post("/api/v2/workflows/stop", json={"job_id": done["job_id"]})
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert "already completed" in response.json()["message"]
    assert (await client.get("/api/v2/workflows", params={"job_id": done["job_id"]})).json() == done
