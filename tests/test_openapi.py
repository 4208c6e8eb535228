"""GET /openapi.json describes every route, body and response, well enough for a fuzzer to exercise
the live API and find nothing that disagrees with it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sluice.http import app, openapi

METHODS = {"get", "put", "post", "delete", "patch"}
CONFIG = Path(__file__).with_name("schemathesis.toml")


def app_operations() -> set[tuple[str, str]]:
    return {(route.path, method.lower()) for route in app.routes() for method in route.methods if method != "HEAD"}


def documented_operations() -> set[tuple[str, str]]:
    return {(path, method) for path, item in openapi.PATHS.items() for method in item if method in METHODS}


async def test_every_route_of_the_app_is_documented_and_nothing_else(service, client):
    """Every route in the app appears in /openapi.json with each of its methods, and the document names
    no route the app lacks; the live server serves this document."""
    assert app_operations() == documented_operations()
    served = await client.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == openapi.DOCUMENT
    operation_ids = [item[method]["operationId"] for path, method in documented_operations()
                     for item in [openapi.PATHS[path]]]
    assert len(set(operation_ids)) == len(operation_ids)


def test_request_bodies_follow_their_attrs_classes():
    """The documented run and stop bodies are the attrs classes the handlers structure, field for field."""
    run = openapi.SCHEMAS["RunRequest"]
    assert set(run["properties"]) == {"flow_id", "flow_version", "background", "stream", "inputs",
                                      "idempotency_key"}
    assert run["required"] == ["flow_id"]
    assert run["additionalProperties"] is False
    assert openapi.SCHEMAS["StopRequest"]["properties"] == {"job_id": {"type": "string", "format": "uuid"}}


async def test_schemathesis_exercises_the_live_api_and_finds_nothing(service, owner_key, tmp_path):
    """A fuzzer reading only /openapi.json (schemathesis, every check, stateful links included) finds no
    server error, no response that breaks its documented status, content type, headers or schema, no
    schema-invalid request accepted, and no route that ignores its key."""
    command = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(CONFIG), "run",
        f"{service.base_url}/openapi.json", "--header", f"x-api-key: {owner_key[1]}",
        "--max-examples", "15", "--seed", "20240601", "--request-timeout", "20",
        "--workers", "1", "--no-color",
    ]
    process = await asyncio.create_subprocess_exec(*command, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    report = output.decode()
    assert process.returncode == 0, report[-6000:]
    assert "29 selected / 29 total" in report
