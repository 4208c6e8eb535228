"""Contract, Flows: Langflow exports stored as versioned flows through `/api/v1/flows/`, checked when stored."""

from __future__ import annotations

import uuid

import flowkit


async def test_create_list_read_update_delete(service, client):
    """Contract: `POST /api/v1/flows/` creates a flow: 201 with `{"id", "name", "endpoint_name", "version"}`
    (`id` a UUID); `GET /api/v1/flows/` lists the owner's flows; `PUT` answers 200 with the `version`;
    `GET|PUT|DELETE /api/v1/flows/{flow_id}`."""
    created = await client.post("/api/v1/flows/", json=flowkit.echo_flow("My Echo Flow"))
    assert created.status_code == 201
    flow = created.json()
    assert uuid.UUID(flow["id"])
    assert flow["name"] == "My Echo Flow"
    assert flow["endpoint_name"] == "my-echo-flow"  # derived from the name when the export has none
    assert len(flow["version"]) == 16
    assert flow["id"] in [item["id"] for item in (await client.get("/api/v1/flows/")).json()]
    read = (await client.get(f"/api/v1/flows/{flow['id']}")).json()
    assert read["data"]["nodes"] and read["version"] == flow["version"]
    renamed = await client.put(f"/api/v1/flows/{flow['id']}", json={"name": "Renamed"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Renamed" and renamed.json()["version"] == flow["version"]
    deleted = await client.delete(f"/api/v1/flows/{flow['id']}")
    assert deleted.status_code == 200
    assert (await client.get(f"/api/v1/flows/{flow['id']}")).json()["code"] == "FLOW_NOT_FOUND"


async def test_a_bare_graph_is_accepted(service, client):
    """Contract: a bare `{"nodes", "edges"}` document is accepted too."""
    bare = flowkit.echo_flow()["data"]
    response = await client.post("/api/v1/flows/", json=bare)
    assert response.status_code == 201
    done = await client.post("/api/v2/workflows", json={"flow_id": response.json()["id"],
                                                         "inputs": {"ChatInput-echo.input_value": "bare"}})
    assert done.json()["outputs"]["ChatOutput-echo"]["content"] == "bare"


async def test_endpoint_name_is_unique_per_owner(service, client):
    """Contract: `endpoint_name` unique per owner, taken from the export when it has one."""
    export = flowkit.echo_flow() | {"endpoint_name": "shared-name"}
    assert (await service.flow(client, export))["endpoint_name"] == "shared-name"
    again = await client.post("/api/v1/flows/", json=export)
    assert again.status_code == 409 and again.json()["code"] == "ENDPOINT_NAME_TAKEN"
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        assert (await other.post("/api/v1/flows/", json=export)).status_code == 201


async def test_a_broken_flow_is_400_naming_each_offending_node(service, client):
    """Contract: broken edges, cycles without a loop component, and component types the engine does not
    provide are a 400 that names each offending node."""
    node, edge = flowkit.node, flowkit.edge
    broken_edge = flowkit.export("Broken", [node("ChatInput-a", "ChatInput")],
                                 [edge("ChatInput-a", "message", "Gone-b", "input_value")])
    unknown = flowkit.export("Unknown", [node("Mystery-a", "NoSuchComponent"), node("Mystery-b", "AlsoMissing")], [])
    cycle = flowkit.export("Cycle", [node("ChatOutput-a", "ChatOutput", {"input_value": ""}),
                                     node("ChatOutput-b", "ChatOutput", {"input_value": ""})],
                           [edge("ChatOutput-a", "message", "ChatOutput-b", "input_value"),
                            edge("ChatOutput-b", "message", "ChatOutput-a", "input_value")])
    for export, nodes in ((broken_edge, ["Gone-b"]), (unknown, ["Mystery-a", "Mystery-b"]),
                          (cycle, ["ChatOutput-a", "ChatOutput-b"])):
        response = await client.post("/api/v1/flows/", json=export)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "INVALID_FLOW"
        assert all(node_id in body["detail"] for node_id in nodes)


async def test_an_export_whose_endpoint_name_is_the_text_none_gets_a_derived_one(service, client):
    """Contract: `endpoint_name` taken from the export when it has one — Langflow writes a missing one as
    the text "None", which names nothing, so each such import gets a name derived from the flow's name."""
    export = flowkit.echo_flow("Twice Imported") | {"endpoint_name": "None"}
    first, second = [(await client.post("/api/v1/flows/", json=export)).json() for _ in range(2)]
    assert (first["endpoint_name"], second["endpoint_name"]) == ("twice-imported", "twice-imported-2")
