"""Contract, Principals and auth: flows, jobs and files belong to the owner of the key that created
them. Anything owned by someone else answers exactly as if it did not exist (404), for reads, runs and
stops."""

from __future__ import annotations

import uuid

import flowkit
from jobwait import job_status


async def test_one_owners_job_flow_stream_stop_and_file_are_404_for_another_owner(service, client, owner_key):
    """Contract: anything owned by someone else answers exactly as if it did not exist (404), for reads,
    runs and stops — flows, versions, jobs, event streams, stops and files."""
    flow = await service.flow(client, flowkit.sleep_flow(30) | {"endpoint_name": "mine"})
    job_id = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})).json()["job_id"]
    file_id = uuid.uuid4()
    await service.pool.execute(
        "insert into files (id, owner, name, mime_type, size, content) values ($1, $2, 'a.txt', 'text/plain', 1, 'a')",
        file_id, owner_key[0],
    )
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        answers = {
            "read flow": await other.get(f"/api/v1/flows/{flow['id']}"),
            "update flow": await other.put(f"/api/v1/flows/{flow['id']}", json={"name": "taken"}),
            "delete flow": await other.delete(f"/api/v1/flows/{flow['id']}"),
            "versions": await other.get(f"/api/v1/flows/{flow['id']}/versions"),
            "run by id": await other.post("/api/v2/workflows", json={"flow_id": flow["id"]}),
            "run by endpoint name": await other.post("/api/v2/workflows", json={"flow_id": "mine"}),
            "run pinned version": await other.post("/api/v2/workflows",
                                                   json={"flow_id": flow["id"], "flow_version": flow["version"]}),
            "read job": await other.get("/api/v2/workflows", params={"job_id": job_id}),
            "stream job": await other.get("/api/v2/workflows", params={"job_id": job_id, "stream": "true"}),
            "stop job": await other.post("/api/v2/workflows/stop", json={"job_id": job_id}),
            "file": await other.get(f"/api/v2/files/{file_id}"),
        }
        listed = (await other.get("/api/v1/flows/")).json()
    assert {name: response.status_code for name, response in answers.items()} == dict.fromkeys(answers, 404)
    codes = {name: response.json()["code"] for name, response in answers.items()}
    assert codes == {
        "read flow": "FLOW_NOT_FOUND", "update flow": "FLOW_NOT_FOUND", "delete flow": "FLOW_NOT_FOUND",
        "versions": "FLOW_NOT_FOUND", "run by id": "FLOW_NOT_FOUND", "run by endpoint name": "FLOW_NOT_FOUND",
        "run pinned version": "FLOW_NOT_FOUND", "read job": "JOB_NOT_FOUND", "stream job": "JOB_NOT_FOUND",
        "stop job": "JOB_NOT_FOUND", "file": "FILE_NOT_FOUND",
    }
    assert listed == []
    # Nothing the other owner tried changed anything.
    mine = (await client.get(f"/api/v1/flows/{flow['id']}")).json()
    assert mine["name"] == flow["name"] and mine["version"] == flow["version"]
    assert (await job_status(client, job_id))["status"] in ("queued", "in_progress")
    stopped = await client.post("/api/v2/workflows/stop", json={"job_id": job_id})
    assert stopped.json()["message"] == f"Job {job_id} cancelled successfully."


async def test_someone_elses_job_answers_exactly_like_a_missing_one(service, client):
    """Contract: anything owned by someone else answers exactly as if it did not exist — same status and
    body, apart from the id it names."""
    flow = await service.flow(client, flowkit.echo_flow())
    job_id = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()["job_id"]
    missing = str(uuid.uuid4())
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        for params in ({}, {"stream": "true"}):
            theirs = await other.get("/api/v2/workflows", params={"job_id": job_id, **params})
            absent = await other.get("/api/v2/workflows", params={"job_id": missing, **params})
            assert theirs.status_code == absent.status_code == 404
            assert theirs.headers["content-type"] == absent.headers["content-type"] == "application/json"
            assert theirs.text.replace(job_id, "ID") == absent.text.replace(missing, "ID")
