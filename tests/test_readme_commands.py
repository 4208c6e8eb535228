"""The README's `make run` path, executed: it prints the three lines, its curl line works, and
Ctrl-C / SIGTERM leaves no process behind (API, workers and the embedded PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PORT_ATTEMPTS, REPOSITORY, free_port, port_taken
from sluice.embedded_db import EmbeddedPostgres

# Runs `make run` as a process.
pytestmark = pytest.mark.integration


def _processes_mentioning(text: str) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [line for line in listing.splitlines() if text in line and "ps -eo" not in line]


def _read_ready_lines(process: subprocess.Popen[str], timeout: float = 120) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline and len(lines) < 3:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith(("Sluice is ready at", "API key:", "curl ")):
            lines.append(line.rstrip("\n"))
    return lines


def _sluice_up(data_dir: Path) -> tuple[subprocess.Popen[str], int, int, list[str]]:
    """`sluice up` on free ports, started again on others if it lost one of them to another process."""
    for attempt in range(PORT_ATTEMPTS):
        api_port, pg_port = free_port(), free_port()
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env |= {"SLUICE_PORT": str(api_port), "SLUICE_PG_PORT": str(pg_port), "SLUICE_DATA_DIR": str(data_dir)}
        up = subprocess.Popen([sys.executable, "-m", "sluice", "up"], cwd=REPOSITORY, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = _read_ready_lines(up)
        if len(lines) == 3 or attempt == PORT_ATTEMPTS - 1 or up.poll() is None:
            return up, api_port, pg_port, lines
        up.wait()
        if not (port_taken(api_port) or port_taken(pg_port)):
            return up, api_port, pg_port, lines
    raise AssertionError("unreachable")


def test_make_run_serves_the_printed_curl_and_stops_cleanly(tmp_path):
    up, api_port, pg_port, lines = _sluice_up(tmp_path)
    try:
        ready, key_line, curl = lines
        assert ready == f"Sluice is ready at http://127.0.0.1:{api_port}"
        key = key_line.removeprefix("API key: ")
        assert key.startswith("sk-")
        assert (tmp_path / "api-key").read_text().strip() == key
        workers = [line for line in _processes_mentioning("sluice worker")
                   if str(tmp_path) in Path(f"/proc/{line.split()[0]}/environ").read_text(errors="replace")]
        assert len(workers) == 2
        answer = json.loads(subprocess.run(["bash", "-c", curl], capture_output=True, text=True, check=True).stdout)
        assert answer["status"] == "completed"
        assert answer["outputs"]["ChatOutput-demo"]["content"] == "Hello, Sluice!"
    finally:
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=60) == 0
    assert not _processes_mentioning(f"--port {api_port}")
    assert not _processes_mentioning(f"-p {pg_port}")
    assert not EmbeddedPostgres(tmp_path / "postgres", pg_port).is_running()
