"""GET /metrics in Prometheus text format, and the timing of every HTTP request.

Queue figures (jobs by status, queue depth and age, run time and queue wait, workers' leases) are
read from the database at scrape time, so any API process answers for the whole system; so are the
model calls and tokens every worker has used, per provider and model (workers serve no metrics of
their own: they write their tallies to the database, see sluice/maintenance/model_usage.py). Request
latency is measured in each process; `sluice serve --workers N` points prometheus-client's
multiprocess mode at a shared directory, so a scrape of any process reports them all.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sluice.store import metrics, model_usage
from sluice.store.metrics import QueueFigures
from sluice.store.model_usage import ModelUsage

JOB_SECONDS_BOUNDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}

REQUESTS = Histogram(
    "sluice_http_request_duration_seconds",
    "Time from receiving an HTTP request to sending its response headers, by route template and status.",
    ["method", "route", "status"],
    registry=None,
)


class RequestTimer:
    """Observes each request's latency under its route template (never the raw path, whose ids
    would make a series per request); requests no route matched count as `unmatched`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        observed = False

        def observe(status: int) -> None:
            nonlocal observed
            observed = True
            route = scope.get("route")
            method = scope["method"] if scope["method"] in _METHODS else "other"
            template = route.path if route is not None else "unmatched"
            REQUESTS.labels(method, template, str(status)).observe(time.perf_counter() - started)

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                observe(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            if not observed:
                observe(500)  # raised past every handler: the server error middleware answers


def _queue_families(figures: QueueFigures) -> Iterable[Metric]:
    jobs = GaugeMetricFamily("sluice_jobs", "Jobs in the database, by status.", labels=["status"])
    for status, count in figures.jobs.items():
        jobs.add_metric([status], count)
    yield jobs
    yield GaugeMetricFamily("sluice_queue_depth", "Jobs waiting to be claimed.", value=figures.jobs["queued"])
    yield GaugeMetricFamily("sluice_queue_oldest_age_seconds", "Age of the oldest job waiting to be claimed.",
                            value=figures.oldest_queued_seconds)
    for name, help_text, histogram in (
        ("sluice_job_run_seconds", "Run time of finished jobs, from their last claim to their end.",
         figures.run_time),
        ("sluice_job_queue_wait_seconds", "Time jobs waited in the queue, from creation to their last claim.",
         figures.queue_wait),
    ):
        buckets = [(repr(float(bound)), count) for bound, count in zip(histogram.bounds, histogram.counts, strict=True)]
        yield HistogramMetricFamily(name, help_text, buckets=[*buckets, ("+Inf", histogram.count)],
                                    sum_value=histogram.total)
    running = GaugeMetricFamily("sluice_worker_running_jobs", "Jobs each worker is running.", labels=["worker"])
    lease = GaugeMetricFamily(
        "sluice_worker_lease_expires_timestamp_seconds",
        "When the newest lease of each worker's jobs ends; workers renew leases as their heartbeat.",
        labels=["worker"],
    )
    for worker in figures.workers:
        running.add_metric([worker.worker_id], worker.running)
        lease.add_metric([worker.worker_id], worker.lease_expires)
    yield running
    yield lease


def _usage_families(used: list[ModelUsage]) -> Iterable[Metric]:
    calls = CounterMetricFamily("sluice_model_calls", "Model calls answered, by provider and model.",
                                labels=["provider", "model"])
    tokens = CounterMetricFamily("sluice_model_tokens", "Tokens model calls used, by provider, model and direction.",
                                 labels=["provider", "model", "direction"])
    for row in used:
        calls.add_metric([row.provider, row.model], row.calls)
        tokens.add_metric([row.provider, row.model, "input"], row.input_tokens)
        tokens.add_metric([row.provider, row.model, "output"], row.output_tokens)
    return [calls, tokens]


def _request_families() -> Iterable[Metric]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return MultiProcessCollector(None).collect()
    return REQUESTS.collect()


class _Collected:
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


async def metrics_text(request: Request) -> Response:
    pool = request.app.state.sluice.pool
    figures = await metrics.read_queue(pool, JOB_SECONDS_BOUNDS)
    used = await model_usage.read(pool)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collected([*_queue_families(figures), *_usage_families(used), *_request_families()]))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
