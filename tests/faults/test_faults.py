"""Fault injection: the real service under load while workers die, PostgreSQL crashes, connections are
cut, a worker is partitioned away or its clock is wrong, and submissions outrun the workers. After each,
every accepted job must have completed exactly once with its own output and a gap-free event log.

`make test` runs the short form; `make faults` (SLUICE_FAULTS=full) the full one.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import uuid
from pathlib import Path

import httpx
import pytest
from load import MODEL_DELAY, assert_nothing_lost, check_every_job, fault_service, scale

from conftest import REPOSITORY, start_postgres
from fake_openai import FakeOpenAI
from jobwait import wait_for_row, wait_until
from sluice import db
from sluice.store import keys, migrate

# Processes, servers and PostgreSQL, killed and restarted.
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fake():
    server = FakeOpenAI(echo_delay=MODEL_DELAY)
    yield server
    server.close()


async def test_workers_killed_mid_run_repeatedly(cluster, fake):
    async with fault_service(cluster.new_database(), fake) as service:
        load = service.load()
        async with load.running():
            for _ in range(scale(3, 10)):
                await asyncio.sleep(scale(1, 3))
                victim = random.choice([w for w in service.workers if w.poll() is None])
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                service.workers.append(service.processes.worker(concurrency=8))
        report = await check_every_job(service.pool, load, "SIGKILL workers")
        retried = await service.pool.fetchval("select count(*) from jobs where attempt > 1")
    assert_nothing_lost(report)
    assert retried > 0, "no job was running when its worker was killed: the scenario tested nothing"


async def test_postgres_crash_and_restart(fake, tmp_path):
    server = start_postgres(tmp_path / "pg")
    try:
        server.create_database("sluice")
        conn = await db.connect(server.url("sluice"))
        await migrate.migrate(conn)
        await conn.close()
        async with fault_service(server.url("sluice"), fake) as service:
            load = service.load()
            async with load.running():
                await asyncio.sleep(1)
                await asyncio.to_thread(server.stop, "immediate")
                await asyncio.sleep(2)
                await asyncio.to_thread(server.start)
                await asyncio.sleep(scale(3, 10))
            await service.pool.expire_connections()
            report = await check_every_job(service.pool, load, "PostgreSQL crash-restart")
        assert_nothing_lost(report)
        assert load.server_errors == 0, load.statuses
        assert load.statuses.get(503, 0) > 0, "no request met the outage"
    finally:
        server.stop()


async def test_connections_terminated_including_listen(cluster, fake):
    async with fault_service(cluster.new_database(), fake) as service:
        load = service.load()
        async with load.running():
            for _ in range(scale(3, 8)):
                await asyncio.sleep(1)
                killed = await service.pool.fetchval("""
                    select count(pg_terminate_backend(pid)) from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid()
                """)
                assert killed > 0
            await asyncio.sleep(1)
        await service.pool.expire_connections()
        report = await check_every_job(service.pool, load, "pg_terminate_backend")
    assert_nothing_lost(report)


async def test_partitioned_worker_is_taken_over_and_its_late_writes_are_fenced(cluster, fake):
    """SIGSTOP stands in for a partition: the worker keeps its jobs in memory but can neither renew
    nor write, for longer than its lease; on SIGCONT it comes back and tries to finish them."""
    async with fault_service(cluster.new_database(), fake, workers=2) as service:
        load = service.load()
        async with load.running():
            await asyncio.sleep(1)
            frozen = service.workers[0]
            frozen.send_signal(signal.SIGSTOP)
            # Frozen until its leases ran out and another worker took one of its jobs over.
            await wait_for_row(service.pool, "select count(*) from jobs where attempt > 1")
            frozen.send_signal(signal.SIGCONT)
            await asyncio.sleep(2)
        report = await check_every_job(service.pool, load, "partitioned worker")
        taken_over = await service.pool.fetchval("select count(*) from jobs where attempt > 1")
    assert_nothing_lost(report)
    assert taken_over > 0


async def test_worker_with_a_skewed_clock_keeps_its_leases(cluster):
    """A job that runs for several leases on a worker whose clock is ten minutes ahead completes on
    its first attempt: leases are renewed with the database's clock."""
    slow = FakeOpenAI(echo_delay=5)  # 2.5 leases
    try:
        skew = str(REPOSITORY / "tests" / "faults" / "skewed_clock")
        async with fault_service(cluster.new_database(), slow, workers=0) as service:
            service.processes.worker(concurrency=2, PYTHONPATH=os.pathsep.join(
                filter(None, [skew, os.environ.get("PYTHONPATH")])))
            load = service.load()
            async with httpx.AsyncClient(base_url=service.base_url, headers={"x-api-key": service.key},
                                         timeout=60) as http:
                await asyncio.gather(*(load.submit(http, f"slow {n}", background=True) for n in range(2)))
            report = await check_every_job(service.pool, load, "clock skew")
            attempts = await service.pool.fetchval("select max(attempt) from jobs")
    finally:
        slow.close()
    assert_nothing_lost(report)
    assert attempts == 1


# The next transaction id the server will hand out: only a transaction that writes takes one.
NEXT_XID = "select pg_snapshot_xmax(pg_current_snapshot())::text"


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# Jobs left waiting when the bursts stop.
BACKLOG = 200


async def test_overload_queues_everything_and_drains(cluster, fake):
    async with fault_service(cluster.new_database(), fake, workers=0,
                             env={"SLUICE_LEASE_SECONDS": "30"}) as service:
        api = service.processes.started[0]
        # Two slots and a model that takes 50 ms: at most 40 jobs a second, well below what the API
        # accepts, so the submissions outrun the worker however busy the machine is.
        worker = service.processes.worker(concurrency=2)
        load = service.load()
        async with httpx.AsyncClient(base_url=service.base_url, headers={"x-api-key": service.key},
                                     timeout=60) as http:
            await asyncio.gather(*(load.submit(http, f"warm {n}", background=True) for n in range(50)))
            # Memory is compared from a warm start: the worker has run jobs, not only imported.
            await wait_for_row(service.pool, "select count(*) = 50 from jobs where status = 'completed'")
            memory_before = {process.pid: _rss_kb(process.pid) for process in (api, worker)}
            # Bursts until the backlog is deep (in the full form, for a minute at least): how long
            # that takes depends on the machine, the backlog it leaves does not.
            started = asyncio.get_running_loop().time()
            while True:
                await asyncio.gather(*(load.submit(http, f"burst {uuid.uuid4().hex[:8]}", background=True)
                                       for _ in range(50)))
                backlog = await service.pool.fetchval("select count(*) from jobs where status = 'queued'")
                bursting = asyncio.get_running_loop().time() - started
                if backlog > BACKLOG and bursting >= scale(0, 60):
                    break
                assert bursting < scale(60, 300), f"submissions did not outrun the worker (backlog {backlog})"
            memory_after = {process.pid: _rss_kb(process.pid) for process in (api, worker)}
        report = await check_every_job(service.pool, load, "overload", timeout=600)
    assert_nothing_lost(report)
    for pid, before in memory_before.items():
        assert memory_after[pid] < before + 100_000, f"process {pid} grew from {before} kB to {memory_after[pid]} kB"


async def refused(http: httpx.AsyncClient) -> bool:
    return (await http.get("/api/v1/flows/")).status_code == 401


async def test_revoked_key_stops_at_once_everywhere_and_guessing_costs_no_writes(cluster, fake):
    async with fault_service(cluster.new_database(), fake, workers=0) as service:
        second_api = service.processes.api()
        clients = [httpx.AsyncClient(base_url=url, headers={"x-api-key": service.key}, timeout=10)
                   for url in (service.base_url, second_api)]
        try:
            for http in clients:
                assert (await http.get("/api/v1/flows/")).status_code == 200  # cached as valid now
            key_id = await service.pool.fetchval("select id from api_keys where key_hash = $1",
                                                 keys.key_hash(service.key))
            await keys.revoke(service.pool, key_id)
            for http in clients:  # refused once the revocation's NOTIFY reached its API process
                await wait_until(lambda http=http: refused(http), "a revoked key is refused by every API process")
            # Transaction ids are the whole server's, and autovacuum's ANALYZE of any database takes
            # some now and then; a guess that wrote would take them in every round, so one round of
            # 300 guesses in which none were taken shows the guesses write nothing.
            answers, taken = [], []
            async with httpx.AsyncClient(base_url=service.base_url, timeout=10) as guesser:
                while len(taken) < 3 and 0 not in taken:
                    before = int(await service.pool.fetchval(NEXT_XID))
                    answers += await asyncio.gather(*(
                        guesser.get("/api/v1/flows/", headers={"x-api-key": keys.new_key()}) for _ in range(300)))
                    taken.append(int(await service.pool.fetchval(NEXT_XID)) - before)
        finally:
            for http in clients:
                await http.aclose()
    assert {answer.status_code for answer in answers} == {401}
    assert 0 in taken, f"guessing keys made the database write (transaction ids taken per round: {taken})"
