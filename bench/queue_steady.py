"""2. Queue core, steady: one producer enqueues one job per call (each its own transaction) while
2 worker processes drain. For 20 s as fast as the producer can: completed jobs/s. Then at a fixed
100 jobs/s: enqueue-to-start latency, from each system's own database timestamps."""

from __future__ import annotations

from bench.harness import Bench
from bench.report import Figure, Target

PEERS = ("pgqueuer", "procrastinate")
WORKERS = 2
RATE = 100


async def run(bench: Bench) -> list[Figure]:
    seconds = bench.size(20, 4)
    latency_seconds = bench.size(20, 4)
    systems = ("sluice", *PEERS)
    fast = {system: bench.run_queue(system, "steady", "--seconds", seconds, "--workers", WORKERS)
            for system in systems}
    paced = {system: bench.run_queue(system, "steady", "--seconds", latency_seconds, "--workers", WORKERS,
                                     "--rate", RATE)
             for system in systems}
    figures: list[Figure] = []
    for peer in PEERS:
        first = peer == "pgqueuer"
        figures.append(_figure(f"steady, 1 producer: completed (vs {peer})", "jobs/s", fast, peer,
                               "completed_per_s", "higher", (Target("ratio", 1.0),) if first else ()))
        figures.append(_figure(f"steady {RATE}/s: start latency p50 (vs {peer})", "ms", paced, peer, "p50_ms",
                               "lower", (Target("max", 2.0), Target("ratio", 1.0)) if first else ()))
        figures.append(_figure(f"steady {RATE}/s: start latency p99 (vs {peer})", "ms", paced, peer, "p99_ms",
                               "lower", (Target("max", 4.0), Target("ratio", 1.0)) if first else ()))
    figures.append(_figure("steady, 1 producer: writing commits per job", "", fast, "pgqueuer", "commits_per_job",
                           "lower", ()))
    return figures


def _figure(name: str, unit: str, answers: dict, peer: str, key: str, better: str,
            targets: tuple[Target, ...]) -> Figure:
    answer = answers[peer]
    return Figure(name, unit, answers["sluice"][key], answer[key] if answer else None, peer, better, targets,
                  "" if answer else f"{peer} is not installed (make bench installs it)")
