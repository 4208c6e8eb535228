"""The benchmarks never run in the test suite (speed belongs in `make bench`), but they must stay
importable, name only SQL that exists, and report targets honestly."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from bench.__main__ import BENCHMARKS
from bench.report import Figure, Target, table
from bench.statements import FOLDER
from bench.stats import percentile

from sluice.sql import QUEUE_SQL

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
               if not (FOLDER / f"{name}.sql").exists() and not (QUEUE_SQL / f"{name}.sql").exists()]
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
