"""The dashboard's queries over history read a window's range of an index, never the whole table:
their plans on 200,000 finished jobs (spread over 30 days, as retention keeps them), and their
answers against what was filled. Their speed on 1,000,000 jobs is measured by `make bench`
(bench/dashboard.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from bench.statements import statement as bench_statement

from sluice import db
from sluice.store import dashboard, flows
from sluice.store.statements import statement

HISTORY = 200_000
STEP = timedelta(minutes=1)


@pytest.fixture(scope="module")
async def history(cluster):
    conn = await db.connect(cluster.new_database())
    flow = await flows.insert(conn, flow_id=uuid.uuid4(), owner="bench", name="history", description="",
                              endpoint_name="history", graph={"nodes": [], "edges": []})
    await conn.execute(bench_statement("fill_dashboard_history"), HISTORY, timedelta(days=30), [flow.id], "v1",
                       timedelta(0))
    await conn.execute("vacuum (analyze) jobs")
    yield conn
    await conn.close()


def since() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=15)


@pytest.mark.parametrize(("name", "args"), [
    ("ui_job_counts", ()), ("ui_finished_by_status", (STEP,)), ("ui_latency", (STEP,)),
    ("ui_queue_depth", (STEP,)), ("ui_failure_by_flow", ()), ("ui_worker_activity", ()),
])
async def test_each_query_reads_the_windows_range_of_the_finished_index(history, name, args):
    plan = await explain(history, name, "bench", since(), *args)
    assert "jobs_finished" in plan, plan
    assert "Seq Scan on jobs" not in plan, plan


async def test_the_live_queue_is_read_from_the_partial_indexes_of_live_rows(history):
    plan = await explain(history, "ui_queue_by_flow", "bench")
    assert "jobs_claimable" in plan and "jobs_leased" in plan, plan
    assert "Seq Scan on jobs" not in plan, plan


async def explain(conn, name: str, *args: object) -> str:
    return "\n".join(row[0] for row in await conn.fetch(f"explain {statement(name)}", *args))


async def test_the_charts_count_what_finished_in_the_window(history):
    start = since()
    expected = {row["status"]: row["count"] for row in await history.fetch(
        "select status, count(*) from jobs where finished_at >= $1 group by status", start)}
    # 200,000 jobs over 30 days: about 70 in 15 minutes.
    assert 40 < sum(expected.values()) < 100
    assert await dashboard.job_counts(history, "bench", start) == expected
    by_status: dict[str, int] = {}
    for row in await dashboard.finished_by_status(history, "bench", start, STEP):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["jobs"]
    assert by_status == expected
    [flow] = await dashboard.failure_by_flow(history, "bench", start)
    assert flow["finished"] == sum(expected.values())
    assert flow["failed"] == sum(expected.get(s, 0) for s in ("failed", "error", "timed_out"))
    latency = await dashboard.latency(history, "bench", start, STEP)
    assert latency and all(0 <= row["wait"][0] <= row["wait"][1] <= 2 for row in latency)
    assert all(0 <= row["run"][0] <= row["run"][1] <= 5 for row in latency)
    assert await dashboard.job_counts(history, "someone-else", start) == {}
