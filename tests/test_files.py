"""Write File (SaveToFile): the file lands in the `files` table for the job's owner; output type `file`."""

from __future__ import annotations

import json
import uuid
from typing import Any

import flowkit


def save_flow(via_type: str | None = None, **save: Any) -> dict[str, Any]:
    """Chat Input -> (Type Convert to `via_type`) -> Write File."""
    nodes = [flowkit.node("ChatInput-1", "ChatInput", {"input_value": "", "should_store_message": False})]
    edges = []
    source, output = "ChatInput-1", "message"
    if via_type:
        names = {"Data": "data_output", "DataFrame": "dataframe_output"}
        nodes.append(flowkit.node("Convert-1", "TypeConverterComponent",
                                  {"input_data": "", "output_type": flowkit.field(via_type, "tab")},
                                  outputs=(names[via_type],)))
        edges.append(flowkit.edge(source, output, "Convert-1", "input_data"))
        source, output = "Convert-1", names[via_type]
    nodes.append(flowkit.node("SaveToFile-1", "SaveToFile", {"input": "", "file_name": "report", **save}))
    edges.append(flowkit.edge(source, output, "SaveToFile-1", "input"))
    return flowkit.export("Save", nodes, edges)


async def saved(service: Any, client: Any, export: dict[str, Any], text: str) -> dict[str, Any]:
    flow = await service.flow(client, export)
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"],
                                                            "inputs": {"ChatInput-1.input_value": text}})
    return response.json()


async def stored_file(service: Any, file_id: str) -> Any:
    return await service.pool.fetchrow("select owner, job_id, name, mime_type, size, content from files where id = $1",
                                       uuid.UUID(file_id))


async def test_a_message_is_saved_for_the_jobs_owner(service, client, owner_key):
    body = await saved(service, client, save_flow(local_format="txt"), "hello file")
    assert body["status"] == "completed", body
    output = body["outputs"]["SaveToFile-1"]
    assert output["type"] == "file"
    content = output["content"]
    assert content == {"file_id": content["file_id"], "name": "report.txt", "mime_type": "text/plain", "size": 10,
                       "url": f"/api/v2/files/{content['file_id']}"}
    row = await stored_file(service, content["file_id"])
    assert row["owner"] == owner_key[0]
    assert row["job_id"] == uuid.UUID(body["job_id"])
    assert (row["name"], row["mime_type"], row["size"], bytes(row["content"])) == (
        "report.txt", "text/plain", 10, b"hello file")


async def test_formats_follow_the_input_type(service, client):
    body = await saved(service, client, save_flow(), "default json")
    row = await stored_file(service, body["outputs"]["SaveToFile-1"]["content"]["file_id"])
    assert (row["name"], json.loads(row["content"])) == ("report.json", {"message": "default json"})

    body = await saved(service, client, save_flow("DataFrame"), "a, b")
    row = await stored_file(service, body["outputs"]["SaveToFile-1"]["content"]["file_id"])
    assert (row["name"], row["mime_type"], bytes(row["content"])) == ("report.csv", "text/csv", b'text\n"a, b"\n')

    body = await saved(service, client, save_flow("Data", local_format="markdown"), "cell")
    row = await stored_file(service, body["outputs"]["SaveToFile-1"]["content"]["file_id"])
    # pandas' to_markdown(index=False), as Langflow writes it.
    assert (row["name"], bytes(row["content"])) == ("report.markdown", b"| text   |\n|:-------|\n| cell   |")


async def test_a_path_in_the_name_is_reduced_to_the_file_name(service, client):
    body = await saved(service, client, save_flow(file_name="../../etc/passwd", local_format="txt"), "x")
    assert body["outputs"]["SaveToFile-1"]["content"]["name"] == "passwd.txt"


async def test_unsupported_choices_fail_with_a_clear_error(service, client):
    body = await saved(service, client, save_flow(local_format="csv"), "x")
    assert body["status"] == "failed"
    assert "Invalid file format 'csv' for a Message" in body["errors"][0]["error"]

    location = flowkit.field([{"name": "AWS"}], "sortableList")
    body = await saved(service, client, save_flow(storage_location=location), "x")
    assert body["status"] == "failed"
    assert "Storage location 'AWS' is not available" in body["errors"][0]["error"]
