"""1. Queue core, drain: 20,000 no-op jobs appear at once (one transaction) before idle workers,
then 1 and 2 worker processes drain them, claiming 10 at a time. Sluice's real worker loop and queue
SQL (jobs with an empty flow) against pgqueuer and procrastinate with no-op handlers."""

from __future__ import annotations

from bench.harness import Bench
from bench.report import Figure, Target

PEERS = ("pgqueuer", "procrastinate")


async def run(bench: Bench) -> list[Figure]:
    jobs = bench.size(20_000, 3_000)
    figures: list[Figure] = []
    for workers in (1, 2):
        options = ("--jobs", jobs, "--workers", workers, "--batch", 10)
        sluice = bench.run_queue("sluice", "drain", *options)
        peers = {peer: bench.run_queue(peer, "drain", *options) for peer in PEERS}
        label = f"drain {jobs:,} jobs, {workers} worker{'s' if workers > 1 else ''}"
        for peer, answer in peers.items():
            figures.append(Figure(
                f"{label} (vs {peer})", "jobs/s", sluice["jobs_per_s"],
                answer["jobs_per_s"] if answer else None, peer,
                targets=(Target("ratio", 1.5),) if peer == "pgqueuer" else (),
                note="" if answer else f"{peer} is not installed (make bench installs it)",
            ))
        pgqueuer = peers["pgqueuer"]
        figures.append(Figure(
            f"{label}: writing commits per job", "", sluice["commits_per_job"],
            pgqueuer["commits_per_job"] if pgqueuer else None, "pgqueuer", better="lower",
        ))
    return figures
