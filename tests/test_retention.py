"""Retention: jobs that finished more than SLUICE_RETENTION_DAYS ago go, with their inputs, events
and files; queued, running and recently finished jobs stay. Run by `sluice prune` (a real
subprocess) and by the workers' background duty (a real worker process)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

import flowkit
from conftest import REPOSITORY, Cluster, Service, start_service
from jobwait import wait_for_row


@pytest.fixture(scope="module")
async def bare(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster, workers=0) as started:
        yield started


async def jobs_in_states(service: Service) -> dict[str, str]:
    """One job per case, each with events and a file, created `days` ago and left in its state."""
    _, key = await service.key()
    async with service.client(key) as client:
        flow = await service.flow(client, flowkit.echo_flow())
        cases = {
            # name: (status, days since created, days since finished)
            "old_completed": ("completed", 40, 35),
            "old_failed": ("failed", 40, 31),
            "recent_completed": ("completed", 2, 1),
            "old_queued": ("queued", 40, None),
            "old_running": ("in_progress", 40, None),
        }
        made = {}
        for name, (status, created, finished) in cases.items():
            response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
            job_id = response.json()["job_id"]
            await service.pool.execute(
                "update jobs set status = $2, created_at = now() - make_interval(days => $3),"
                " finished_at = now() - make_interval(days => $4), event_seq = 3,"
                " lease_expires_at = case when $2 = 'in_progress' then now() + interval '1 hour' end"
                " where id = $1", job_id, status, created, finished)
            # Two stored events (the queued one is implied by the row), so that events count apart from jobs.
            await service.pool.execute(
                "insert into job_events (job_id, seq, type, data)"
                " values ($1, 2, 'status', '{}'), ($1, 3, 'token', '{}')", job_id)
            await service.pool.execute(
                "insert into files (id, owner, job_id, name, mime_type, size, content)"
                " values ($1, 'o', $2, 'f.txt', 'text/plain', 1, 'x')", uuid.uuid4(), job_id)
            made[name] = job_id
        return made


async def remaining(service: Service, made: dict[str, str]) -> dict[str, tuple[int, int, int, int]]:
    """Per case: (jobs, inputs, events, files) rows left."""
    counts = {}
    for name, job_id in made.items():
        counts[name] = tuple(await service.pool.fetchrow(
            "select (select count(*) from jobs where id = $1), (select count(*) from job_inputs where job_id = $1),"
            " (select count(*) from job_events where job_id = $1), (select count(*) from files where job_id = $1)",
            job_id))
    return counts


def sluice(service: Service, *args: str, **env: str) -> Any:
    done = subprocess.run([sys.executable, "-m", "sluice", *args], capture_output=True, text=True, cwd=REPOSITORY,
                          env={**os.environ, "DATABASE_URL": service.database_url, **env}, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_prune_removes_exactly_old_finished_jobs(bare):
    made = await jobs_in_states(bare)
    vacuums = "select sum(vacuum_count) from pg_stat_user_tables where relname = 'job_events'"
    before = await bare.pool.fetchval(vacuums)
    output = await asyncio.to_thread(sluice, bare, "prune", "--json", SLUICE_RETENTION_DAYS="30")
    assert json.loads(output) == {"days": 30.0, "jobs": 2, "events": 4, "files": 2}
    # Having deleted rows, it vacuumed the tables, so that their space is reused at once.
    await wait_for_row(bare.pool, f"select ({vacuums}) > $1", before)
    left = await remaining(bare, made)
    assert left["old_completed"] == left["old_failed"] == (0, 0, 0, 0)
    assert left["recent_completed"] == left["old_queued"] == left["old_running"] == (1, 1, 2, 1)
    assert "Deleted 0 job(s)" in await asyncio.to_thread(sluice, bare, "prune")

    # The workers' duty does the same on its own, here with a retention of half a day.
    worker = bare.processes.worker(concurrency=1, SLUICE_RETENTION_DAYS="0.5", SLUICE_RETENTION_INTERVAL="0.5")
    await wait_for_row(bare.pool, "select not exists (select 1 from jobs where id = $1)", made["recent_completed"])
    left = await remaining(bare, {name: made[name] for name in ("recent_completed", "old_running")})
    assert left == {"recent_completed": (0, 0, 0, 0), "old_running": (1, 1, 2, 1)}
    assert await asyncio.to_thread(bare.processes.stop, worker) == 0
