"""Contract, Principals and auth: `SLUICE_DEVELOPER_API=false` turns the `/api/v2/workflows` routes off:
404 with code `DEVELOPER_API_DISABLED`."""

from __future__ import annotations

import flowkit


async def test_workflow_routes_answer_404_developer_api_disabled(service, client, owner_key):
    """Contract: `SLUICE_DEVELOPER_API=false` turns the `/api/v2/workflows` routes off (404
    DEVELOPER_API_DISABLED); the flow routes stay on."""
    flow = await service.flow(client, flowkit.echo_flow())
    job_id = (await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()["job_id"]
    base_url = service.processes.api(SLUICE_DEVELOPER_API="false")
    async with service.client(owner_key[1], base_url=base_url) as off:
        answers = [
            await off.post("/api/v2/workflows", json={"flow_id": flow["id"]}),
            await off.post("/api/v2/workflows", json={"flow_id": flow["id"], "stream": True}),
            await off.get("/api/v2/workflows", params={"job_id": job_id}),
            await off.get("/api/v2/workflows", params={"job_id": job_id, "stream": "true"}),
            await off.post("/api/v2/workflows/stop", json={"job_id": job_id}),
        ]
        for response in answers:
            assert response.status_code == 404
            assert response.json()["code"] == "DEVELOPER_API_DISABLED"
            assert isinstance(response.json()["detail"], str)
        assert (await off.get(f"/api/v1/flows/{flow['id']}")).status_code == 200
    # The same job through an API process with the switch on.
    assert (await client.get("/api/v2/workflows", params={"job_id": job_id})).json()["status"] == "completed"
