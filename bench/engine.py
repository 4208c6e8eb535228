"""Engine in-process: the time to run a flow export with Sluice's engine, beside Langflow's own
executor (lfx, in its virtualenv under .bench/lfx) on the same files.

Each run is what a worker does per job once the flow is parsed: check the inputs, make the run's
context and run the graph. Every run has a session of its own, so chat history never grows.
Run alone: `.venv/bin/python -m bench engine` (add `--quick` for a short run).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from bench.figures import Figure
from bench.harness import Bench
from bench.stats import latency_summary
from sluice.engine.context import RunContext
from sluice.engine.graph import parse_graph
from sluice.engine.inputs import group_overrides
from sluice.engine.runner import run_graph
from sluice.engine.services import Services

FLOWS = Path("/work/shared/flows/langflow-tests")
FILES = ("MemoryChatbotNoLLM.json", "chat_echo_no_llm.json")
MESSAGE = "hello from the bench"


def chat_input(export: dict[str, Any]) -> str:
    """The id of the flow's ChatInput node, whose message each run sets."""
    graph = parse_graph(export)
    return next(node.id for node in graph.nodes.values() if node.type == "ChatInput")


async def sluice_times(export: dict[str, Any], runs: int, warmup: int) -> list[float]:
    """Milliseconds per run, after `warmup` runs that are not counted."""
    graph = parse_graph(export)
    inputs = {f"{chat_input(export)}.input_value": MESSAGE}
    services = Services()
    owner, flow_id = "bench", uuid.uuid4()
    times: list[float] = []
    for n in range(warmup + runs):
        start = time.perf_counter()
        job_id = uuid.uuid4()
        context = RunContext(job_id=job_id, owner=owner, flow_id=flow_id, session_id=str(job_id), services=services)
        outputs = await run_graph(graph, group_overrides(graph, inputs), context)
        elapsed = (time.perf_counter() - start) * 1000
        if not outputs:
            raise RuntimeError("the flow produced no output")
        if n >= warmup:
            times.append(elapsed)
    return times


def measure(bench: Bench) -> tuple[list[Figure], dict[str, Any]]:
    runs, warmup = bench.size((1000, 100), (200, 20))
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    for name in FILES:
        path = FLOWS / name
        ours = latency_summary(asyncio.run(sluice_times(orjson.loads(path.read_bytes()), runs, warmup)))
        # lfx is slow per run: fewer runs keep the quick bench quick; its mean and p99 settle early.
        peer = bench.run_peer("lfx", "lfx_engine", str(path), chat_input(orjson.loads(path.read_bytes())),
                              MESSAGE, bench.size(runs // 4, 30), bench.size(20, 5))
        details[name] = {"sluice": ours, "lfx": peer}
        memory = name.startswith("Memory")
        for stat in ("mean_ms", "p99_ms"):
            value = ours[stat]
            peer_value = peer[stat] if peer else None
            target, met = "", None
            if memory and stat == "mean_ms":
                target = "< 1 ms and >= 25x lfx"
                met = value < 1 and peer_value is not None and peer_value / value >= 25
            figures.append(Figure("engine", f"{name.removesuffix('.json')} {stat[:-3]}", "ms", value, peer_value,
                                  "lfx", better="lower", target=target, met=met))
    return figures, details
