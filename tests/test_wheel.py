"""A built wheel is the whole of Sluice: installed into a fresh virtualenv outside the repository,
it migrates a database and runs a flow, finding its SQL, migrations and templates inside itself."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest

from conftest import REPOSITORY, Processes

UV = (sys.executable, "-m", "uv")
FLOW = REPOSITORY / "service" / "sluice" / "demo" / "echo.json"


# Builds a wheel and installs it into a virtualenv of its own: processes.
pytestmark = pytest.mark.integration

@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `bin/` folder of a fresh virtualenv holding only the built wheel and its dependencies."""
    place = tmp_path_factory.mktemp("wheel")
    # uv (a dev dependency) builds and installs in seconds from its cache; pip would take minutes.
    subprocess.run([*UV, "build", "--quiet", "--wheel", "--out-dir", str(place / "dist"), str(REPOSITORY)],
                   check=True, capture_output=True)
    (wheel,) = (place / "dist").glob("sluice-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sluice/store/sql/claim_jobs.sql" in names
    assert "sluice/store/migrations/001_initial.sql" in names
    assert "sluice/ui/templates/job.html" in names and "sluice/demo/echo.json" in names
    subprocess.run([*UV, "venv", "--quiet", "--python", sys.executable, str(place / "venv")], check=True)
    subprocess.run([*UV, "pip", "install", "--quiet", "--python", str(place / "venv" / "bin" / "python"), str(wheel)],
                   check=True, capture_output=True)
    bin_dir = place / "venv" / "bin"
    return bin_dir


def sluice(bin_dir: Path, database: str, *args: str) -> str:
    done = subprocess.run([str(bin_dir / "sluice"), *args], cwd=bin_dir.parent, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": database})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_installed_package_is_not_the_checkout(installed):
    where = subprocess.run([str(installed / "python"), "-c", "import sluice; print(sluice.__file__)"],
                           cwd=installed.parent, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(installed.parent)) and not where.startswith(str(REPOSITORY))


async def test_the_installed_wheel_migrates_and_runs_a_flow(installed, cluster):
    name = f"wheel_{uuid.uuid4().hex[:12]}"
    cluster.server.psql(f'create database "{name}"')
    database = cluster.server.url(name)
    assert "applied 001_initial.sql" in sluice(installed, database, "migrate")
    assert sluice(installed, database, "migrate").strip() == "the schema is up to date"
    sluice(installed, database, "flows", "import", str(FLOW), "--owner", "wheel")
    key = sluice(installed, database, "keys", "create", "--owner", "wheel").strip().splitlines()[-1]
    processes = Processes(database, command=(str(installed / "sluice"),), cwd=installed.parent)
    try:
        base_url = processes.api()
        processes.worker()
        async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": key}, timeout=30) as client:
            body = (await client.post("/api/v2/workflows", json={
                "flow_id": "echo", "inputs": {"ChatInput-demo.input_value": "from the wheel"}})).json()
            page = await client.get("/ui/signin")
    finally:
        processes.close()
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-demo"]["content"] == "from the wheel"
    assert page.status_code == 200 and "<form" in page.text
