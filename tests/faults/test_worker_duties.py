"""A worker's background duties are supervised: one that raises is logged with its traceback and
started again; one that cannot recover (lease renewal failing past the lease time) makes the worker
stop claiming, hand its jobs back and exit non-zero, so that a supervisor starts a fresh one.

The failure is injected with tests/faults/failing_duty/sitecustomize.py, on the worker's
PYTHONPATH only: a statement of the duty raises while a file exists.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import flowkit
from conftest import REPOSITORY, Cluster, Service, start_service
from jobwait import logged_statuses, wait_for_status

FAILING_DUTY = REPOSITORY / "tests" / "faults" / "failing_duty"
INPUT = "ChatInput-in.input_value"
OUTPUT = "ChatOutput-out"


@pytest.fixture(scope="module")
async def service(cluster: Cluster) -> AsyncIterator[Service]:
    """An API with no workers of its own: each test starts the ones it needs."""
    async with start_service(cluster, env={"SLUICE_LEASE_SECONDS": "3"}, workers=0) as started:
        yield started


def start_worker(service: Service, log: Path, failing: str | None = None, switch: Path | None = None
                 ) -> subprocess.Popen[bytes]:
    env = dict(service.processes.env)
    if failing is not None and switch is not None:
        env |= {"PYTHONPATH": os.pathsep.join(filter(None, [str(FAILING_DUTY), env.get("PYTHONPATH")])),
                "SLUICE_TEST_FAILING_STATEMENT": failing, "SLUICE_TEST_FAILING_WHILE": str(switch)}
    process = subprocess.Popen([sys.executable, "-m", "sluice", "worker", "--concurrency", "4"], env=env,
                               cwd=REPOSITORY, stderr=log.open("w"))
    service.processes.started.append(process)
    return process


async def wait_for_log(log: Path, text: str, count: int = 1, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while (content := await asyncio.to_thread(log.read_text)).count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} did not appear {count} time(s) in the log:\n{content[-3000:]}"
        await asyncio.sleep(0.05)
    return content


async def end_events(service: Service, job_id: str) -> list[str]:
    statuses = await logged_statuses(service.pool, job_id)
    return [f"{data['status']}:{data['reason']}" if data.get("reason") else data["status"] for data in statuses]


async def test_a_duty_that_raises_is_restarted_and_recovers(service, tmp_path):
    """The rescuer raises while the switch exists: the worker logs it, restarts it, keeps working;
    once the fault is gone the rescuer puts back the job of a worker that was killed meanwhile."""
    _, key = await service.key()
    switch = tmp_path / "failing"
    async with service.client(key) as client:
        flow = await service.flow(client, flowkit.sleep_flow(3, name="Slow"))
        victim = start_worker(service, tmp_path / "victim.log")
        job = (await client.post("/api/v2/workflows", json={
            "flow_id": flow["id"], "background": True, "inputs": {INPUT: "rescued"}})).json()["job_id"]
        await wait_for_status(client, job, "in_progress")
        victim.send_signal(signal.SIGKILL)
        victim.wait()

        switch.touch()
        log = tmp_path / "worker.log"
        worker = start_worker(service, log, failing="find_expired_leases", switch=switch)
        content = await wait_for_log(log, "worker duty rescuer failed; restarting it", count=3)
        assert "RuntimeError: injected failure of find_expired_leases" in content  # its traceback
        assert (await service.pool.fetchval("select status from jobs where id = $1", job)) == "in_progress"

        switch.unlink()
        done = await wait_for_status(client, job, {"completed", "failed", "error"}, timeout=60)
    assert done["status"] == "completed"
    assert done["outputs"][OUTPUT]["content"] == "rescued"
    assert await end_events(service, job) == ["queued", "in_progress", "queued:worker_lost", "in_progress", "completed"]
    assert worker.poll() is None  # the same worker throughout
    assert service.processes.stop(worker) == 0


async def test_lease_renewal_that_cannot_recover_stops_the_worker_and_hands_its_job_back(service, tmp_path):
    _, key = await service.key()
    switch = tmp_path / "failing"
    switch.touch()
    log = tmp_path / "worker.log"
    async with service.client(key) as client:
        flow = await service.flow(client, flowkit.sleep_flow(8, name="Long"))
        broken = start_worker(service, log, failing="renew_leases", switch=switch)
        job = (await client.post("/api/v2/workflows", json={
            "flow_id": flow["id"], "background": True, "inputs": {INPUT: "handed back"}})).json()["job_id"]
        await wait_for_status(client, job, "in_progress")

        code = await asyncio.to_thread(broken.wait, 60)
        content = log.read_text()
        assert code == 1, content[-3000:]
        assert "worker duty lease renewal failed; restarting it" in content
        assert "RuntimeError: injected failure of renew_leases" in content
        assert "worker stopped: the lease renewal duty kept failing" in content
        handed_back = await wait_for_status(client, job, "queued")
        assert handed_back["status"] == "queued"
        assert await end_events(service, job) == ["queued", "in_progress", "queued:shutdown"]
        assert await service.pool.fetchval("select count(*) from workers where pid = $1", broken.pid) == 0

        start_worker(service, tmp_path / "healthy.log")
        done = await wait_for_status(client, job, {"completed", "failed", "error"}, timeout=60)
    assert done["status"] == "completed"
    assert done["outputs"][OUTPUT]["content"] == "handed back"
