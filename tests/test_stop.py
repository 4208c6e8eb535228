"""POST /api/v2/workflows/stop on queued, running and finished jobs."""

from __future__ import annotations

import asyncio
import time
import uuid

import flowkit
from jobwait import wait_for_status


async def _submit(client, flow_id, text="x"):
    response = await client.post("/api/v2/workflows", json={
        "flow_id": flow_id, "background": True, "inputs": {"ChatInput-in.input_value": text}})
    return response.json()["job_id"]


async def test_stop_a_running_job_cancels_it_within_a_second_and_frees_the_worker(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(30))
    job_id = await _submit(client, flow["id"])
    await wait_for_status(client, job_id, "in_progress")
    started = time.monotonic()
    response = await client.post("/api/v2/workflows/stop", json={"job_id": job_id})
    assert response.status_code == 200
    assert response.json()["message"] == f"Job {job_id} cancelled successfully."
    body = await wait_for_status(client, job_id, "cancelled", timeout=1)
    assert time.monotonic() - started < 1
    assert body["status"] == "cancelled"
    # The worker really stopped running it: its task was interrupted, so no completion ever lands.
    await asyncio.sleep(0.5)
    row = await service.pool.fetchrow("select status, finished_at from jobs where id = $1", uuid.UUID(job_id))
    assert row["status"] == "cancelled"
    running = await service.pool.fetchval(
        "select count(*) from job_events where job_id = $1 and type = 'component_end' "
        "and data ->> 'component_id' = 'Sleep-1'", uuid.UUID(job_id))
    assert running == 0


async def test_stop_a_queued_job_cancels_it_at_once(service, client):
    flow = await service.flow(client, flowkit.sleep_flow(30))
    # Fill every worker slot (2 workers x 8), so the next job stays queued.
    blockers = [await _submit(client, flow["id"]) for _ in range(16)]
    queued = await _submit(client, flow["id"])
    try:
        assert (await client.get("/api/v2/workflows", params={"job_id": queued})).json()["status"] == "queued"
        response = await client.post("/api/v2/workflows/stop", json={"job_id": queued})
        assert response.status_code == 200
        body = (await client.get("/api/v2/workflows", params={"job_id": queued})).json()
        assert body["status"] == "cancelled"
        assert body["errors"][0]["code"] == "CANCELLED"
    finally:
        for job_id in blockers:
            await client.post("/api/v2/workflows/stop", json={"job_id": job_id})


async def test_stop_a_completed_job_leaves_it_completed(service, client):
    flow = await service.flow(client, flowkit.echo_flow())
    done = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    assert done["status"] == "completed"
    response = await client.post("/api/v2/workflows/stop", json={"job_id": done["job_id"]})
    assert response.status_code == 200
    assert "already completed" in response.json()["message"]
    assert (await client.get("/api/v2/workflows", params={"job_id": done["job_id"]})).json()["status"] == "completed"
