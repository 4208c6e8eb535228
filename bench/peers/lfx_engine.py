"""Langflow's own executor (lfx) on a flow export, run in lfx's virtualenv (.bench/lfx).

`python -m bench.peers.lfx_engine FILE CHAT_INPUT_ID MESSAGE RUNS WARMUP` prints the mean and p99
milliseconds per run as JSON. A run is `lfx.load.arun_flow_from_json` on the parsed export, with a
session of its own: lfx builds its graph from the payload on every run, as Langflow's API does.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

from lfx.load import arun_flow_from_json

from bench.procs import print_result
from bench.stats import latency_summary


async def times(export: dict, message: str, runs: int, warmup: int) -> list[float]:
    measured: list[float] = []
    for n in range(warmup + runs):
        start = time.perf_counter()
        outputs = await arun_flow_from_json(export, message, session_id=str(uuid.uuid4()), disable_logs=True)
        elapsed = (time.perf_counter() - start) * 1000
        if not outputs or not outputs[0].outputs:
            raise RuntimeError("lfx produced no output")
        if n >= warmup:
            measured.append(elapsed)
    return measured


def main() -> None:
    path, _chat_input, message, runs, warmup = sys.argv[1:6]
    with open(path, encoding="utf-8") as file:
        export = json.load(file)
    print_result(latency_summary(asyncio.run(times(export, message, int(runs), int(warmup)))))


if __name__ == "__main__":
    main()
