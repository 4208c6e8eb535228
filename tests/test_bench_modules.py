"""The benchmarks never run in the test suite (speed belongs in `make bench`), but they must stay
importable, name only SQL that exists, and report targets honestly; and Sluice's side of the queue
benchmarks must still run against the code it measures (a tiny drain and steady run, no timing)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bench.__main__ import BENCHMARKS
from bench.report import Figure, Target, table
from bench.statements import FOLDER
from bench.stats import percentile

from conftest import REPOSITORY, Cluster
from sluice.store.statements import SQL

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_every_benchmark_imports_and_has_a_run_function():
    for name in BENCHMARKS:
        assert callable(importlib.import_module(f"bench.{name}").run), name


def test_every_statement_the_benchmarks_name_exists():
    named = set()
    for path in BENCH.rglob("*.py"):
        named.update(re.findall(r'statement\("(\w+)"', path.read_text()))
    assert named
    missing = [name for name in named
               if not (FOLDER / f"{name}.sql").exists() and not (SQL / f"{name}.sql").is_file()]
    assert missing == []


def test_a_ratio_below_its_target_is_reported_as_not_met():
    slower = Figure("drain", "jobs/s", 300.0, 600.0, "peer", targets=(Target("ratio", 1.5),))
    assert slower.ratio == 0.5
    assert slower.met is False
    assert "NO" in table([slower]).splitlines()[2]


def test_lower_is_better_figures_invert_the_ratio_and_check_their_limit():
    latency = Figure("p50", "ms", 1.0, 4.0, "peer", better="lower", targets=(Target("max", 2.0),))
    assert latency.ratio == 4.0
    assert latency.met is True
    unmeasured = Figure("p50", "ms", None, 4.0, "peer", better="lower", targets=(Target("max", 2.0),))
    assert unmeasured.met is None


def test_percentiles_interpolate_between_samples():
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0], 0.99) == 2.98


def _sluice_queue(cluster: Cluster, *args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "bench.sluice_queue", *args[:1], cluster.new_database(), *args[1:]],
                          capture_output=True, text=True, cwd=REPOSITORY, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sluice_queue_drain_runs_every_job_through_real_workers(cluster, workers):
    answer = _sluice_queue(cluster, "drain", "--jobs", "300", "--workers", workers)
    assert answer["jobs"] == 300
    assert answer["seconds"] > 0


def test_sluice_queue_steady_measures_each_enqueued_job(cluster):
    answer = _sluice_queue(cluster, "steady", "--seconds", "1", "--rate", "50", "--workers", "1")
    assert answer["enqueued"] == 50  # paced at 50 a second for 1 s: the producer stops at the 50th
    assert answer["count"] == answer["enqueued"]


def test_the_knowledge_corpus_is_the_same_for_every_reader(tmp_path):
    from bench import vectors

    first = vectors.make(tmp_path / "a", 8, 120, 10)
    second = vectors.make(tmp_path / "b", 8, 120, 10)
    assert first.chunks.read_bytes() == second.chunks.read_bytes()
    assert first.queries.read_bytes() == second.queries.read_bytes()
    stored = list(vectors.read_rows(first, first.chunks))
    assert [len(batch) for batch in vectors.batches(first, 50)] == [50, 50, 20]
    for query in vectors.read_rows(first, first.queries):
        # Each query is a perturbed copy of a stored chunk: some stored vector lies very near it.
        assert max(sum(a * b for a, b in zip(query, row, strict=True)) for row in stored) > 0.95
