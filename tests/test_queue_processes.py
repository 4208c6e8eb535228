"""Worker processes against a real queue: exactly-once draining, lost workers, fenced writes."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid

import httpx
import pytest

import flowkit
from conftest import Processes
from jobwait import logged_statuses, wait_for_row, wait_for_status
from sluice import db
from sluice.models import Event, JobStatus
from sluice.store import jobs, keys
from sluice.store.jobs import Transition


@pytest.fixture
async def isolated(cluster):
    """A fresh database with an API and no workers: each test starts the workers it needs."""
    url = cluster.new_database()
    processes = Processes(url, env={"SLUICE_LEASE_SECONDS": "2"})
    pool = await db.create_pool(url, min_size=1, max_size=4)
    try:
        yield processes, processes.api(), pool
    finally:
        processes.close()
        await pool.close()


@contextlib.asynccontextmanager
async def _client_and_flow(pool, base_url, export):
    key = await keys.create(pool, f"owner-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": key}, timeout=30) as client:
        flow = (await client.post("/api/v1/flows/", json=export)).json()
        yield client, flow


async def test_two_workers_drain_500_jobs_each_exactly_once(isolated):
    processes, base_url, pool = isolated
    async with _client_and_flow(pool, base_url, flowkit.echo_flow()) as (client, flow):
        for batch in range(10):
            submissions = [
                client.post("/api/v2/workflows", json={
                    "flow_id": flow["id"], "background": True,
                    "inputs": {"ChatInput-echo.input_value": f"job {batch}-{n}"}})
                for n in range(50)
            ]
            assert all(r.status_code == 200 for r in await asyncio.gather(*submissions))
        first, second = processes.worker(concurrency=8), processes.worker(concurrency=8)
        await wait_for_row(pool, "select count(*) = 500 from jobs where status = 'completed'", timeout=60)
    assert await pool.fetchval("select count(*) from jobs") == 500
    # Claimed once each: no second attempt, and exactly one end event per job.
    assert await pool.fetchval("select max(attempt) from jobs") == 1
    assert await pool.fetchval(
        "select count(*) from (select job_id from job_events where type = 'end' group by job_id having count(*) = 1) e"
    ) == 500
    # Both processes took part.
    assert await pool.fetchval("select count(distinct worker_id) from jobs") == 2
    # Each job's output is its own input.
    mismatched = await pool.fetchval("""
        select count(*) from jobs j
        join job_inputs i on i.job_id = j.id
        join job_events e on e.job_id = j.id and e.type = 'end'
        where e.data -> 'outputs' -> 'ChatOutput-echo' ->> 'content' <> i.inputs ->> 'ChatInput-echo.input_value'
    """)
    assert mismatched == 0
    for process in (first, second):
        assert processes.stop(process) == 0


async def test_job_of_a_killed_worker_is_finished_by_another_after_its_lease(isolated):
    processes, base_url, pool = isolated
    async with _client_and_flow(pool, base_url, flowkit.sleep_flow(2.0)) as (client, flow):
        doomed = processes.worker(concurrency=1)
        submitted = await client.post("/api/v2/workflows", json={
            "flow_id": flow["id"], "background": True, "inputs": {"ChatInput-in.input_value": "survivor"}})
        job_id = submitted.json()["job_id"]
        await wait_for_status(client, job_id, "in_progress")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        processes.worker(concurrency=1)
        done = await wait_for_status(client, job_id, "completed", timeout=30)
    assert done["outputs"]["ChatOutput-out"]["content"] == "survivor"
    assert done["metadata"]["attempt"] == 2
    assert await pool.fetchval("select attempt from jobs where id = $1", uuid.UUID(job_id)) == 2
    ends = await pool.fetchval("select count(*) from job_events where job_id = $1 and type = 'end'", uuid.UUID(job_id))
    assert ends == 1
    # The log shows the hand-over: queued again after the lost worker, then running a second time.
    # Its first status, its last claim and its final status are implied by the row and the `end`
    # event (sql/read_job_events.sql); the first claim was stored when the second one took its place.
    statuses = [data["status"] for data in await logged_statuses(pool, job_id)]
    assert statuses == ["queued", "in_progress", "queued", "in_progress", "completed"]
    stored = await pool.fetch("select type, data ->> 'status' as status from job_events"
                              " where job_id = $1 and type in ('status', 'end') order by seq", uuid.UUID(job_id))
    assert [(row["type"], row["status"]) for row in stored] == [
        ("status", "in_progress"), ("status", "queued"), ("end", "completed")]


async def test_a_worker_that_lost_its_lease_cannot_overwrite_the_new_attempt(isolated):
    _processes, base_url, pool = isolated
    async with _client_and_flow(pool, base_url, flowkit.echo_flow()) as (client, flow):
        job_id = uuid.UUID((await client.post("/api/v2/workflows", json={
            "flow_id": flow["id"], "background": True})).json()["job_id"])
    # A lease of no time: it has run out by the next statement, as if the old worker were paused or partitioned.
    [old] = await jobs.claim(pool, "old-worker", 1, lease_seconds=0)
    from sluice.maintenance.rescuer import rescue_transition

    [expired] = await jobs.find_expired_leases(pool, 10)
    assert await jobs.transition(pool, [rescue_transition(expired)], 30) == {job_id}
    [new] = await jobs.claim(pool, "new-worker", 1, lease_seconds=30)
    assert (old.id, old.attempt, new.attempt) == (job_id, 1, 2)

    def finish(job, text):
        return Transition(job.id, job.attempt, JobStatus.IN_PROGRESS, job.event_seq if job is new else old.event_seq,
                          JobStatus.COMPLETED, (Event("end", {"by": text}),))

    # The old worker comes back and tries to write its result: fenced off, nothing changes.
    assert await jobs.transition(pool, [finish(old, "old")], 30) == set()
    assert await jobs.renew_leases(pool, [(old.id, old.attempt)], 30) == set()
    assert await jobs.transition(pool, [finish(new, "new")], 30) == {job_id}
    rows = await pool.fetch("select data from job_events where job_id = $1 and type = 'end'", job_id)
    assert [row["data"] for row in rows] == [{"by": "new"}]
    assert await pool.fetchval("select status from jobs where id = $1", job_id) == "completed"


async def test_a_lease_is_written_only_once_a_third_of_it_has_passed(isolated):
    """Renewal asks about every running job each second, but writes a lease only when a third of it
    has gone: a fresh lease is reported held and left as it is."""
    _processes, base_url, pool = isolated
    async with _client_and_flow(pool, base_url, flowkit.echo_flow()) as (client, flow):
        job_id = uuid.UUID((await client.post("/api/v2/workflows", json={
            "flow_id": flow["id"], "background": True})).json()["job_id"])
    [job] = await jobs.claim(pool, "renewing-worker", 1, lease_seconds=30)
    lease = "select lease_expires_at, xmin::text from jobs where id = $1"
    claimed = await pool.fetchrow(lease, job_id)

    assert await jobs.renew_leases(pool, [(job.id, job.attempt)], 30) == {job_id}
    assert await pool.fetchrow(lease, job_id) == claimed  # not written: no new row version

    # Twenty of its thirty seconds left: more than a third has passed, so this renewal writes it.
    await pool.execute("update jobs set lease_expires_at = now() + interval '20 seconds' where id = $1", job_id)
    assert await jobs.renew_leases(pool, [(job.id, job.attempt)], 30) == {job_id}
    remaining = await pool.fetchval("select extract(epoch from lease_expires_at - now()) from jobs where id = $1",
                                    job_id)
    assert 29 < remaining <= 30

    # A job the worker no longer holds (another attempt) is reported missing, due or not.
    assert await jobs.renew_leases(pool, [(job.id, job.attempt + 1)], 30) == set()
