"""5. Engine in-process: time to execute two flows built from Langflow's starter nodes (bench/flows.py:
Chat Input -> Prompt -> Chat Output, and Chat Input -> Chat Output) with
`sluice.engine.runner.run_graph`, 1,000 runs after a warm-up, each run a new session; beside lfx
(Langflow's executor) on the same files in its own virtualenv (bench/peers/lfx_engine.py).

Sluice's graph is parsed once, as a worker caches it per flow version; lfx deep-copies its loaded
graph per run, as `lfx serve` does per request. A flow whose components Sluice does not provide yet
is reported as not runnable, with the reason.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import attrs
import orjson

from bench import flows
from bench.harness import OWNER, Bench, prepared_database
from bench.report import Figure, Target
from bench.stats import latency_summary
from sluice import db
from sluice.engine.context import RunContext
from sluice.engine.graph import FlowFormatError, Graph, parse_graph
from sluice.engine.inputs import group_overrides
from sluice.engine.runner import run_graph
from sluice.engine.validation import check_graph

MESSAGE = "hello from the benchmark"
TARGETS = {
    flows.prompted: (Target("max", 1.0), Target("ratio", 25.0)),
    flows.echo: (),
}


class NotRunnable(Exception):
    pass


def _overrides(graph: Graph) -> dict:
    chat_inputs = [node.id for node in graph.nodes.values() if node.type == "ChatInput"]
    return group_overrides(graph, {f"{node_id}.input_value": MESSAGE for node_id in chat_inputs})


def _context(extras: dict) -> RunContext:
    # Components that keep state (Memory) may need more than the basic fields: the ones RunContext
    # declares and the benchmark can supply (a database pool) are passed when present.
    fields = attrs.fields_dict(RunContext)
    session = str(uuid.uuid4())
    known = {"job_id": uuid.uuid4(), "owner": OWNER, "flow_id": uuid.uuid4(), "session_id": session, **extras}
    return RunContext(**{name: value for name, value in known.items() if name in fields})


def load(path: Path) -> Graph:
    return parse_graph(orjson.loads(path.read_bytes()))


async def measure(graph: Graph, runs: int, warmup: int, extras: dict) -> dict[str, float]:
    try:
        check_graph(graph)
        overrides = _overrides(graph)
        await run_graph(graph, overrides, _context(extras))
    except (FlowFormatError, TypeError) as problem:
        raise NotRunnable(str(problem)) from None
    except Exception as problem:
        raise NotRunnable(f"{type(problem).__name__}: {problem}") from None
    samples: list[float] = []
    for n in range(warmup + runs):
        context = _context(extras)
        started = time.perf_counter()
        await run_graph(graph, overrides, context)
        if n >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return latency_summary(samples)


async def run(bench: Bench) -> list[Figure]:
    runs, warmup = bench.size((1000, 50), (200, 20))
    url = await prepared_database(bench, "bench_engine")
    pool = await db.create_pool(url, min_size=1, max_size=4)
    figures: list[Figure] = []
    try:
        for written, targets in TARGETS.items():
            path = written()
            note = ""
            try:
                sluice = await measure(load(path), runs, warmup, {"pool": pool})
            except NotRunnable as problem:
                sluice, note = {}, f"Sluice: not runnable yet: {problem}"
            lfx = bench.run_driver("lfx", "bench.peers.lfx_engine", path, "--runs", runs, "--warmup", warmup)
            if lfx is None:
                note = (note + "; " if note else "") + "lfx is not installed (make bench installs it)"
            for key, label, figure_targets in (("mean_ms", "mean", targets), ("p99_ms", "p99", ())):
                figures.append(Figure(f"engine {path.stem}: {label} per run", "ms", sluice.get(key),
                                      lfx[key] if lfx else None, "lfx", "lower", figure_targets, note))
    finally:
        await pool.close()
        bench.drop_database("bench_engine")
    return figures
