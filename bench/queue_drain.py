"""1. Queue core, drain: 20,000 no-op jobs appear at once (one transaction) before idle workers,
then 1 and 2 worker processes drain them, claiming 10 at a time. Sluice's real worker loop and queue
SQL (jobs with an empty flow) against pgqueuer and procrastinate with no-op handlers.

A drain takes a few seconds, so one busy moment of the shared machine could swing a figure: each
system drains ROUNDS times, the systems taking turns, and the median round counts."""

from __future__ import annotations

from typing import Any

from bench.harness import Bench
from bench.report import Figure, Target
from bench.stats import percentile

PEERS = ("pgqueuer", "procrastinate")
ROUNDS = 3
# What a job costs over its whole life (enqueue, claim, finish): the worker processes' CPU time, and
# what the database's counters say was written. Name, unit, and whether it has the target
# (at most pgqueuer's).
WRITES = {
    "worker_cpu_ms_per_job": ("worker CPU per job", "ms", False),
    "commits_per_job": ("writing commits per job", "", False),
    "rows_per_job": ("rows written per job", "rows", True),
    "updates_per_job": ("updates per job", "rows", False),
    "hot_updates_per_job": ("HOT updates per job (higher is better)", "rows", False),
    "wal_bytes_per_job": ("WAL per job", "bytes", True),
}


def _median(answers: list[dict[str, Any] | None]) -> dict[str, float] | None:
    """Each figure's median over the rounds; None when the system is not installed."""
    if not answers or any(answer is None for answer in answers):
        return None
    return {key: percentile([answer[key] for answer in answers if answer], 0.5)
            for key in ("jobs_per_s", *WRITES)}


async def run(bench: Bench) -> list[Figure]:
    jobs = bench.size(20_000, 3_000)
    figures: list[Figure] = []
    for workers in (1, 2):
        options = ("--jobs", jobs, "--workers", workers, "--batch", 10)
        rounds: dict[str, list[dict[str, Any] | None]] = {system: [] for system in ("sluice", *PEERS)}
        for _ in range(bench.size(ROUNDS, 1)):
            for system, answers in rounds.items():
                answers.append(bench.run_queue(system, "drain", *options))
        sluice = _median(rounds["sluice"])
        assert sluice is not None
        peers = {peer: _median(rounds[peer]) for peer in PEERS}
        label = f"drain {jobs:,} jobs, {workers} worker{'s' if workers > 1 else ''}"
        for peer, answer in peers.items():
            figures.append(Figure(
                f"{label} (vs {peer})", "jobs/s", sluice["jobs_per_s"],
                answer["jobs_per_s"] if answer else None, peer,
                targets=(Target("ratio", 1.5),) if peer == "pgqueuer" else (),
                note="" if answer else f"{peer} is not installed (make bench installs it)",
            ))
        pgqueuer = peers["pgqueuer"]
        for key, (name, unit, target) in WRITES.items():
            figures.append(Figure(
                f"{label}: {name}", unit, sluice[key], pgqueuer[key] if pgqueuer else None, "pgqueuer",
                better="higher" if key == "hot_updates_per_job" else "lower",
                targets=(Target("ratio", 1.0),) if target else (),
            ))
    return figures
