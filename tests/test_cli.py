"""The `sluice` console script against a real database: migrate, keys, flows import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

import flowkit
from conftest import REPOSITORY


@pytest.fixture(scope="module")
def database(cluster):
    return cluster.new_database()


def sluice(database: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sluice", *args], cwd=REPOSITORY, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": database}, check=check)


def test_migrate_is_idempotent(database):
    assert sluice(database, "migrate").stdout.strip() == "the schema is up to date"


def test_keys_create_prints_the_key_last_and_revoke_stops_it(database):
    created = sluice(database, "keys", "create", "--owner", "cli-owner", "--name", "laptop")
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("sk-")
    listing = sluice(database, "keys", "list", "--owner", "cli-owner").stdout
    assert "cli-owner" in listing and "laptop" in listing and "active" in listing and key not in listing
    key_id = listing.split()[0]
    assert sluice(database, "keys", "revoke", key_id).returncode == 0
    assert "revoked" in sluice(database, "keys", "list", "--owner", "cli-owner").stdout
    assert sluice(database, "keys", "revoke", key_id, check=False).returncode != 0


def test_flows_import_stores_a_runnable_flow_and_refuses_bad_files(database, tmp_path):
    runnable, legacy = tmp_path / "sender.json", tmp_path / "legacy.json"
    runnable.write_text(json.dumps(flowkit.sender_flow()))
    legacy.write_text(json.dumps(flowkit.legacy_flow()))
    imported = sluice(database, "flows", "import", str(runnable), "--owner", "cli-owner")
    assert "Imported" in imported.stdout and "version" in imported.stdout
    refused = sluice(database, "flows", "import", str(legacy), "--owner", "cli-owner", check=False)
    assert refused.returncode != 0 and "0.x" in refused.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "Cannot read" in sluice(database, "flows", "import", str(broken), "--owner", "x", check=False).stderr


async def test_imported_flow_runs_through_the_api(cluster):
    from conftest import Processes

    database = cluster.new_database()
    path = flowkit.DEMO_FLOWS / "echo.json"
    sluice(database, "flows", "import", str(path), "--owner", "runner")
    key = sluice(database, "keys", "create", "--owner", "runner").stdout.strip().splitlines()[-1]
    processes = Processes(database)
    try:
        base_url = processes.api()
        processes.worker()
        async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": key}, timeout=30) as client:
            body = (await client.post("/api/v2/workflows", json={
                "flow_id": "echo", "inputs": {"ChatInput-demo.input_value": "from the shell"}})).json()
    finally:
        processes.close()
    assert body["outputs"]["ChatOutput-demo"]["content"] == "from the shell"
