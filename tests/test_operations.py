"""Contract, Operators: `GET /health` (process up), `GET /health/ready` (database reachable, schema
current), `GET /metrics` (Prometheus text format).

These tests run against a database with no workers, so jobs stay exactly where the test puts them and
the metrics can be compared with the table.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import Cluster, Service, start_service
from sluice.store import migrate


@pytest.fixture(scope="module")
async def quiet(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster, workers=0) as started:
        yield started


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, keyed by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client) -> dict:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


# (status, seconds ago created, queue wait, run time, worker): None where it does not apply.
JOBS = [
    ("queued", 60, None, None, None),
    ("queued", 10, None, None, None),
    ("queued", 1, None, None, None),
    ("in_progress", 30, 0.5, None, "worker-a"),
    ("in_progress", 30, 0.5, None, "worker-a"),
    ("in_progress", 30, 2.0, None, "worker-b"),
    ("completed", 900, 0.001, 0.02, "worker-a"),
    ("completed", 900, 0.2, 0.3, "worker-a"),
    ("completed", 900, 3.0, 5.0, "worker-b"),  # exactly on a bucket bound: `le` includes it
    ("completed", 900, 40.0, 100.0, "worker-b"),
    ("failed", 900, 0.05, 7.0, "worker-a"),
    ("error", 900, 1.0, 0.5, "worker-a"),
    ("timed_out", 5000, 1.0, 700.0, "worker-b"),
    ("cancelled", 900, None, None, None),
]


async def insert_jobs(pool) -> None:
    now = await pool.fetchval("select now()")
    for status, age, wait, run, worker in JOBS:
        created = now - timedelta(seconds=age)
        started = None if wait is None else created + timedelta(seconds=wait)
        finished = None if run is None else started + timedelta(seconds=run)
        if status == "cancelled":
            finished = created + timedelta(seconds=1)
        lease = now + timedelta(seconds=20 if worker == "worker-a" else 25) if status == "in_progress" else None
        await pool.execute(
            "insert into jobs (id, owner, flow_id, flow_version, status, attempt, worker_id, lease_expires_at,"
            " created_at, started_at, finished_at) values ($1, 'ops', $2, 'v', $3, 1, $4, $5, $6, $7, $8)",
            uuid.uuid4(), uuid.uuid4(), status, worker, lease, created, started, finished,
        )


def expected_buckets(metric: dict, name: str, values: list[float]) -> None:
    buckets = {dict(labels)["le"]: value for (sample, labels), value in metric.items() if sample == f"{name}_bucket"}
    assert len(buckets) > 5
    for le, count in buckets.items():
        assert count == sum(1 for value in values if value <= float(le)), (name, le)
    assert metric[(f"{name}_count", ())] == len(values)
    assert metric[(f"{name}_sum", ())] == pytest.approx(sum(values))


async def test_health_answers_without_a_key(quiet):
    """Contract: `GET /health` (process up), no key needed."""
    async with quiet.client(None) as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database_schema(quiet):
    """Contract: `GET /health/ready` (database reachable, schema current): 200 with the schema version, and
    503 SCHEMA_OUTDATED while a migration is missing."""
    async with quiet.client(None) as client:
        response = await client.get("/health/ready")
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "schema_version": migrate.latest_version()}
        latest = await quiet.pool.fetchrow(
            "delete from sluice_migrations where version = $1 returning version, name, applied_at",
            migrate.latest_version())
        try:
            behind = await client.get("/health/ready")
        finally:
            await quiet.pool.execute("insert into sluice_migrations (version, name, applied_at) values ($1, $2, $3)",
                                     *latest)
        assert behind.status_code == 503
        assert behind.json()["code"] == "SCHEMA_OUTDATED"
        assert (await client.get("/health/ready")).status_code == 200


async def test_metrics_parse_and_job_counts_match_the_table(quiet):
    """Contract: `GET /metrics` (Prometheus text format): jobs by status, queue depth and oldest queued age,
    run time and queue wait histograms, worker leases — matching the jobs table."""
    await insert_jobs(quiet.pool)
    async with quiet.client(None) as client:
        metric = await scrape(client)
    table = dict(await quiet.pool.fetch("select status, count(*) from jobs group by status"))
    for status in ("queued", "in_progress", "completed", "failed", "error", "cancelled", "timed_out"):
        assert metric[("sluice_jobs", (("status", status),))] == table.get(status, 0)
    assert metric[("sluice_queue_depth", ())] == table["queued"] == 3
    assert 60 <= metric[("sluice_queue_oldest_age_seconds", ())] < 120
    expected_buckets(metric, "sluice_job_run_seconds", [run for status, _, _, run, _ in JOBS if run is not None])
    expected_buckets(metric, "sluice_job_queue_wait_seconds",
                     [wait for status, _, wait, _, _ in JOBS if wait is not None])
    assert metric[("sluice_worker_running_jobs", (("worker", "worker-a"),))] == 2
    assert metric[("sluice_worker_running_jobs", (("worker", "worker-b"),))] == 1
    leases = dict(await quiet.pool.fetch(
        "select worker_id, extract(epoch from max(lease_expires_at))::float8 from jobs"
        " where status = 'in_progress' group by worker_id"))
    assert metric[("sluice_worker_lease_expires_timestamp_seconds", (("worker", "worker-b"),))] == leases["worker-b"]


def request_count(metric: dict, method: str, route: str, status: str) -> float:
    labels = tuple(sorted({"method": method, "route": route, "status": status}.items()))
    return metric.get(("sluice_http_request_duration_seconds_count", labels), 0)


async def test_metrics_time_requests_by_route_template_and_status(quiet):
    """Contract: `GET /metrics`: HTTP request latency by route template (never the raw path) and status."""
    _, key = await quiet.key()
    async with quiet.client(key) as client:
        before = await scrape(client)
        for _ in range(3):
            assert (await client.get(f"/api/v1/flows/{uuid.uuid4()}")).status_code == 404
        assert (await client.get("/no/such/route")).status_code == 404
        assert (await client.delete("/api/v2/workflows")).status_code == 405
        after = await scrape(client)
    for method, route, status, count in (("GET", "/api/v1/flows/{flow_id}", "404", 3),
                                         ("GET", "unmatched", "404", 1),
                                         ("DELETE", "/api/v2/workflows", "405", 1)):
        assert request_count(after, method, route, status) - request_count(before, method, route, status) == count
    assert not any("no/such" in str(labels) for _, labels in after)


async def test_request_metrics_add_up_across_api_processes(quiet):
    """Contract: `GET /metrics` is right with several API processes: `sluice serve --workers 2` shares
    request metrics (prometheus-client multiprocess mode), so any process's scrape counts them all."""
    base_url = quiet.processes.api("--workers", "2")
    _, key = await quiet.key()
    route = "/api/v1/flows/{flow_id}/versions"
    for _ in range(20):
        # A new connection each time, so the requests spread over both processes.
        async with quiet.client(key, base_url=base_url) as client:
            assert (await client.get(f"/api/v1/flows/{uuid.uuid4()}/versions")).status_code == 404
    for _ in range(6):
        async with quiet.client(None, base_url=base_url) as client:
            assert request_count(await scrape(client), "GET", route, "404") == 20
