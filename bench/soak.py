"""11. Memory soak: one `sluice worker` at concurrency 200 running streaming model jobs, and one
`sluice serve` holding 1,000 open event streams, for 10 minutes; both processes' resident memory
(VmRSS) sampled every 5 s.

The flow is Basic Prompting from the pinned Langflow wheel with its model streaming; the model is
tests/fake_openai.py in this process, answering each run with 20 words, one every 0.25 s (a job
takes about 5 s). 1,000 clients each submit a background run, follow its event stream
(`GET /api/v2/workflows/{id}/events`) until the `end` event, and start again: about 200 jobs run
while 800 wait queued, and every client holds a stream open nearly all the time. Warm-up is the
first 2 minutes. Figures: RSS at the end of warm-up, and its growth from the median of the first
minute after warm-up to the median of the last minute (target: under 5 %, i.e. flat)."""

from __future__ import annotations

import asyncio
import time
from statistics import median

import orjson
from tests import fake_openai

from bench import flows as bench_flows
from bench import http_load
from bench.harness import Bench
from bench.report import Figure, Target
from bench.service import sluice_service

CONCURRENCY = 200
STREAMS = 1000
WORDS = 20
WORD_DELAY = 0.25
TRIGGER = "soak"
INPUT = "ChatInput-b6UCc.input_value"
SAMPLE_EVERY = 5.0


def streaming_basic_prompting() -> dict:
    export = bench_flows.tests_module("starters").load("Basic Prompting.json")
    for node in export["data"]["nodes"]:
        if node["data"].get("type") == "LanguageModelComponent":
            node["data"]["node"]["template"]["stream"]["value"] = True
    return export


class Clients:
    """The stream followers: each submits a run, reads its event stream to the end, and repeats."""

    def __init__(self, port: int, key: str, flow_id: str) -> None:
        self.port, self.key, self.flow_id = port, key, flow_id
        self.streaming = 0  # clients reading a stream right now
        self.finished = 0  # streams that reached their `end` event
        self.stop = False

    async def follow(self, number: int) -> None:
        connection = await http_load.Connection("127.0.0.1", self.port, {"x-api-key": self.key}).open()
        try:
            while not self.stop:
                body = orjson.dumps({"flow_id": self.flow_id, "background": True,
                                     "inputs": {INPUT: f"{TRIGGER} {number} {self.finished}"}})
                status, answer = await connection.request("POST", "/api/v2/workflows", body)
                if status != 200:
                    raise RuntimeError(f"submission answered {status}: {answer[:300]!r}")
                job_id = orjson.loads(answer)["job_id"]
                self.streaming += 1
                try:
                    status, events = await connection.request("GET", f"/api/v2/workflows/{job_id}/events")
                finally:
                    self.streaming -= 1
                if status != 200 or b'"event":"end"' not in events:
                    raise RuntimeError(f"the stream of job {job_id} answered {status} without its end event")
                self.finished += 1
        finally:
            await connection.close()


async def run(bench: Bench) -> list[Figure]:
    seconds, warmup = bench.size((600, 120), (40, 15))
    streams = bench.size(STREAMS, 200)
    model = fake_openai.FakeOpenAI()
    model.script(TRIGGER, fake_openai.text(" ".join(f"word{n}" for n in range(WORDS)), chunk_delay=WORD_DELAY))
    samples: list[tuple[float, int, int]] = []  # (seconds since start, API kB, worker kB)
    open_streams: list[int] = []
    try:
        async with sluice_service(bench, "bench_soak", streaming_basic_prompting(), workers=1,
                                  concurrency=CONCURRENCY, env=model.env()) as service:
            clients = Clients(service.port, service.key, service.flow_id)
            followers = [asyncio.create_task(clients.follow(n)) for n in range(streams)]
            started = time.monotonic()
            try:
                while (elapsed := time.monotonic() - started) < seconds:
                    done = [task for task in followers if task.done()]
                    if done:
                        await done[0]  # a follower that stopped raises what stopped it
                    samples.append((elapsed, service.api.rss_kb(), service.workers[0].rss_kb()))
                    if elapsed >= warmup:
                        open_streams.append(clients.streaming)
                    await asyncio.sleep(SAMPLE_EVERY)
            finally:
                clients.stop = True
                for task in followers:
                    task.cancel()
                await asyncio.gather(*followers, return_exceptions=True)
            completed = clients.finished
    finally:
        model.close()
    figures = []
    for column, name in ((1, "API"), (2, "worker")):
        warm = [sample[column] for sample in samples if sample[0] >= warmup]
        first = [sample[column] for sample in samples if warmup <= sample[0] < warmup + 60]
        last = [sample[column] for sample in samples if sample[0] >= seconds - 60]
        growth = (median(last) - median(first)) / median(first) * 100
        what = f"{streams:,} open streams" if name == "API" else f"concurrency {CONCURRENCY}, streaming jobs"
        figures += [
            Figure(f"soak {seconds:,} s, {name} ({what}): RSS after warm-up", "MB", warm[0] / 1024,
                   better="lower", note=f"peak {max(warm) / 1024:.0f} MB"),
            Figure(f"soak {seconds:,} s, {name}: RSS growth after warm-up", "%", growth, better="lower",
                   targets=(Target("max", 5),)),
        ]
    figures.append(Figure(f"soak {seconds:,} s: streams open at once (least after warm-up)", "",
                          min(open_streams), note=f"{completed:,} jobs streamed to their end"))
    return figures
