"""Langflow's own executor (lfx) running a flow file in-process, the way `lfx serve` runs each
request: a deep copy of the loaded graph, executed by `execute_graph_with_capture`.

`python -m bench.peers.lfx_engine FLOW.json --runs N --warmup W` in .bench/lfx; prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from copy import deepcopy
from pathlib import Path

from lfx.cli.common import execute_graph_with_capture
from lfx.load import load_flow_from_json

from bench.procs import print_result
from bench.stats import latency_summary

MESSAGE = "hello from the benchmark"


async def measure(path: Path, runs: int, warmup: int) -> dict[str, float]:
    graph = load_flow_from_json(path, disable_logs=True)
    samples: list[float] = []
    for n in range(warmup + runs):
        started = time.perf_counter()
        await execute_graph_with_capture(deepcopy(graph), MESSAGE)
        if n >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return latency_summary(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("flow", type=Path)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    print_result(asyncio.run(measure(args.flow, args.runs, args.warmup)))


if __name__ == "__main__":
    main()
