"""Every SQL block of the README's "Inspecting jobs with SQL" section runs against a database with
known jobs and returns the rows it should, so the documentation cannot rot. A block is named by
its first line (`-- title`); a block without a check here fails the test."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import flowkit
from conftest import REPOSITORY, Cluster, Service, start_service

SECTION = "## Inspecting jobs with SQL"


def readme_queries() -> dict[str, str]:
    text = (REPOSITORY / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)
    return {block.splitlines()[0].removeprefix("-- ").split(":")[0].split(" (")[0]: block for block in blocks}


@pytest.fixture(scope="module")
async def bare(cluster: Cluster) -> AsyncIterator[Service]:
    """No workers: the test puts each job exactly where it wants it."""
    async with start_service(cluster, workers=0) as started:
        yield started


async def make_job(service: Service, client: Any, flow: dict[str, Any], setting: str = "", *args: Any) -> str:
    """A queued job through the API, then moved to the wanted state (`setting`, SQL set clauses)."""
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
    job_id = response.json()["job_id"]
    if setting:
        await service.pool.execute(f"update jobs set {setting} where id = $1", job_id, *args)
    return job_id


async def test_every_readme_query_returns_the_expected_rows(bare):
    _, key = await bare.key()
    async with bare.client(key) as client:
        alpha = await bare.flow(client, flowkit.echo_flow("Alpha"))
        beta = await bare.flow(client, flowkit.echo_flow("Beta"))
        running = ("status = 'in_progress', attempt = 1, event_seq = 2, claimed_seq = 2, worker_id = $2, "
                   "started_at = now() - interval '2 minutes'")
        done = ("status = $2, attempt = 1, started_at = now() - make_interval(secs => $3), finished_at = now(), "
                "error_code = $4")
        ended = ("status = $2, attempt = 1, error_code = $3, started_at = now() - make_interval(mins => $4) "
                 "- interval '1 second', finished_at = now() - make_interval(mins => $4)")
        jobs = {
            "stuck_queued": await make_job(bare, client, alpha, "created_at = now() - interval '10 minutes'"),
            "fresh_queued": await make_job(bare, client, beta),
            "lost_running": await make_job(bare, client, alpha, running, "gone-worker"),
            "live_running": await make_job(bare, client, beta, running, "live-worker"),
            "alpha_fast": await make_job(bare, client, alpha, done, "completed", 2.0, None),
            "alpha_slow": await make_job(bare, client, alpha, done, "completed", 4.0, None),
            "beta_slow": await make_job(bare, client, beta, done, "completed", 10.0, None),
            "alpha_failed": await make_job(bare, client, alpha, ended, "failed", "COMPONENT_FAILED", 10),
            "beta_timed_out": await make_job(bare, client, beta, ended, "timed_out", "JOB_TIMEOUT", 5),
            "alpha_old_failure": await make_job(bare, client, alpha, ended, "failed", "COMPONENT_FAILED", 120),
        }
        await bare.pool.execute(
            "insert into workers (id, hostname, pid, concurrency) values ('live-worker', 'h', 1, 8)")
        # alpha_fast's first attempt was lost: its claim and the hand-over are stored rows.
        await bare.pool.executemany(
            "insert into job_events (job_id, seq, type, data, created_at)"
            " values ($1, $2, 'status', $3, now() - make_interval(mins => $4))",
            [(jobs["alpha_fast"], 2, {"status": "in_progress", "attempt": 1, "worker": "lost-worker"}, 5),
             (jobs["alpha_fast"], 3, {"status": "queued", "reason": "worker_lost", "attempt": 1}, 0)])
    names = {job_id: name for name, job_id in jobs.items()}

    checks: dict[str, Callable[[list[dict[str, Any]]], None]] = {
        "Queue depth by flow and status": lambda rows: _equal(
            {(row["flow_name"], row["status"], row["jobs"]) for row in rows},
            {("Alpha", "queued", 1), ("Beta", "queued", 1), ("Alpha", "in_progress", 1),
             ("Beta", "in_progress", 1)}),
        "What is stuck": lambda rows: _equal(
            [names[str(row["job_id"])] for row in rows], ["stuck_queued", "lost_running"]),
        "Slowest flows today": lambda rows: _equal(
            [(row["flow_name"], row["runs"], round(row["p95_seconds"])) for row in rows],
            [("Beta", 1, 10), ("Alpha", 2, 4)]),
        "Failure reasons this hour": lambda rows: _equal(
            [(row["flow_name"], row["status"], row["error_code"], row["jobs"]) for row in rows],
            [("Alpha", "failed", "COMPONENT_FAILED", 1), ("Beta", "timed_out", "JOB_TIMEOUT", 1)]),
        "Retries today": lambda rows: _equal(
            [(names[str(row["job_id"])], row["attempt"], row["reason"]) for row in rows],
            [("alpha_fast", 1, "worker_lost")]),
        "Claims in the last day": lambda rows: _equal(
            [(names[str(row["job_id"])], row["attempt"], row["worker"]) for row in rows],
            [("alpha_fast", 1, "lost-worker"), ("lost_running", 1, "gone-worker"),
             ("live_running", 1, "live-worker")]),
        "Workers": lambda rows: _equal([(row["id"], row["running"], row["stopping"]) for row in rows],
                                       [("live-worker", 1, False)]),
    }
    queries = readme_queries()
    assert set(queries) == set(checks)
    for title, query in queries.items():
        rows = [dict(row) for row in await bare.pool.fetch(query)]
        try:
            checks[title](rows)
        except AssertionError as problem:
            raise AssertionError(f"README query {title!r}: {problem}") from None


def _equal(found: Any, expected: Any) -> None:
    assert found == expected, f"{found!r} != {expected!r}"
