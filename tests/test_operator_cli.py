"""The operator's commands as subprocesses against a real database, with a real worker:
`sluice jobs list|show|cancel|retry`, `sluice workers`; tables by default, `--json` for scripts."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

import flowkit
from conftest import REPOSITORY, Cluster, Service, start_service
from jobwait import wait_for_status


@pytest.fixture(scope="module")
async def single(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster, workers=1) as started:
        yield started


def sluice(service: Service, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sluice", *args], capture_output=True, text=True, cwd=REPOSITORY,
                          env={**os.environ, "DATABASE_URL": service.database_url}, timeout=60)


async def run(service: Service, *args: str) -> str:
    done = await asyncio.to_thread(sluice, service, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_jobs_and_workers_commands(single):
    _, key = await single.key()
    async with single.client(key) as client:
        sleepy = await single.flow(client, flowkit.sleep_flow(30, name="Sleepy"))
        failing = await single.flow(client, flowkit.export("Failing", [
            flowkit.node("ChatInput-a", "ChatInput", {"input_value": "x"}),
            flowkit.node("Fail-b", "SluiceTestFail", {"message": "no luck", "input_value": ""}, outputs=("text",)),
        ], [flowkit.edge("ChatInput-a", "message", "Fail-b", "input_value")]))
        sleeping = (await client.post("/api/v2/workflows", json={"flow_id": sleepy["id"], "background": True})
                    ).json()["job_id"]
        await wait_for_status(client, sleeping, "in_progress")
        failed = (await client.post("/api/v2/workflows", json={"flow_id": failing["id"]})).json()["job_id"]

        workers = json.loads(await run(single, "workers", "--json"))
        assert [(worker["state"], worker["running"]) for worker in workers] == [("live", [sleeping])]
        table = await run(single, "workers")
        assert table.splitlines()[0].split() == ["id", "state", "heartbeat_age", "concurrency", "running",
                                                 "started_at"]
        assert workers[0]["id"] in table

        listed = json.loads(await run(single, "jobs", "list", "--status", "in_progress", "--json"))
        assert [job["job_id"] for job in listed] == [sleeping]
        by_flow = json.loads(await run(single, "jobs", "list", "--flow", "Failing", "--json"))
        assert [(job["job_id"], job["status"], job["error_code"]) for job in by_flow] == \
            [(failed, "failed", "COMPONENT_FAILED")]
        assert sleeping in await run(single, "jobs", "list")

        retried = await run(single, "jobs", "retry", failed)
        assert "attempt 2" in retried
        await wait_for_status(client, failed, "failed")
        shown = json.loads(await run(single, "jobs", "show", failed, "--json"))
        assert shown["attempt"] == 2
        assert [(a["attempt"], a["outcome"]) for a in shown["attempts"]] == [(1, "failed"), (2, "failed")]
        assert [event["type"] for event in shown["events"]][:2] == ["status", "status"]
        human = await run(single, "jobs", "show", failed)
        assert "attempts" in human and "COMPONENT_FAILED" in human

        assert "Cancelled job" in await run(single, "jobs", "cancel", sleeping)
        assert (await wait_for_status(client, sleeping, "cancelled"))["status"] == "cancelled"
        assert "already cancelled" in await run(single, "jobs", "cancel", sleeping)

    refused = await asyncio.to_thread(sluice, single, "jobs", "retry", sleeping)
    assert refused.returncode == 1
    assert "only failed, error or timed_out jobs can be retried" in refused.stderr
    unknown = await asyncio.to_thread(sluice, single, "jobs", "show", "not-a-job")
    assert unknown.returncode == 1
    assert "is not a job id" in unknown.stderr
    bad_status = await asyncio.to_thread(sluice, single, "jobs", "list", "--status", "stuck")
    assert bad_status.returncode == 2
    assert "invalid choice" in bad_status.stderr
