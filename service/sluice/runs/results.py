"""A run's result: waiting for it, and the execution response it answers with."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from sluice.convert import converter
from sluice.engine.graph import Graph
from sluice.engine.inputs import session_id
from sluice.models import ExecutionResponse
from sluice.runs.errors import ShuttingDown, StillRunning
from sluice.runs.submit import RunServices
from sluice.store import jobs
from sluice.store.jobs import StoredJob

# A waiter re-reads its job this often even without a NOTIFY, in case one was lost.
RECHECK_SECONDS = 5.0


def langflow_fields(response: Mapping[str, Any], graph: Graph | None, output_ids: Sequence[str] | None = None,
                    session: str | None = None) -> dict[str, Any]:
    """The execution response with the fields Langflow 1.13 adds: `session_id`, `output` (the run's
    one text answer, or why there is none), `outputs[id].display_name`, `has_errors`, `warnings`.

    `output_ids` narrows the outputs `output` is chosen among, as 1.13's do; `graph` names the
    components (None when the flow version is gone: no display names then). `session` is the
    session the run was asked for, when no component of the flow took it.
    """
    nodes = graph.nodes if graph is not None else {}
    outputs = {
        component_id: {**output, "display_name": nodes[component_id].display_name if component_id in nodes else None}
        for component_id, output in response.get("outputs", {}).items()
    }
    errors = response.get("errors", [])
    return {
        **response,
        "session_id": session_id(response.get("inputs", {})) or session or response["job_id"],
        "output": _answer(outputs, output_ids) if not errors else {"reason": "failed", "text": None, "source": None},
        "outputs": outputs,
        "has_errors": bool(errors),
        # 1.13 warns when it replaced a component's saved code; Sluice never runs saved code at all.
        "warnings": [],
    }


def _answer(outputs: Mapping[str, Mapping[str, Any]], output_ids: Sequence[str] | None) -> dict[str, Any]:
    """1.13's `output`: `single` when exactly one considered output is text, with that text."""
    considered = {key: output for key, output in outputs.items() if not output_ids or key in output_ids}
    text_channels = {key: output for key, output in considered.items() if output.get("type") in ("message", "text")}
    texts = [(key, output["content"]) for key, output in text_channels.items()
             if isinstance(output.get("content"), str)]
    if len(texts) == 1:
        source, text = texts[0]
        return {"reason": "single", "text": text, "source": source}
    reason = "multiple" if texts else "non_string" if text_channels else "none"
    return {"reason": reason, "text": None, "source": None}


def response_body(stored: StoredJob) -> Any:
    """The execution response of a job: the stored one once it finished, else its status so far."""
    if stored.response is not None:
        return stored.response
    return converter.unstructure(ExecutionResponse.of(stored.job, stored.job.status))


async def wait_for_result(services: RunServices, job_id: UUID, owner: str,
                          enqueue: Awaitable[jobs.Enqueued] | None,
                          closing: Callable[[], float | None] = lambda: None) -> Any:
    """The job's response once it ended. `enqueue` is its insert when not yet awaited; `closing`
    says how many seconds the process has left before it stops (None while it is not stopping)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.settings.sync_timeout
    while True:
        # Registered before the insert (and again before each re-read), so no NOTIFY slips between.
        finished = services.waiters.register(job_id)
        try:
            if enqueue is not None:
                await enqueue
                enqueue = None
            else:
                stored = await services.results.submit((job_id, owner))
                if stored is not None and stored.job.status.is_settled:
                    return response_body(stored)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise StillRunning("EXECUTION_TIMEOUT",
                                   "The flow did not finish in time; fetch its result later with the job_id.",
                                   job_id=job_id)
            left = closing()
            if left is not None and left <= 0:
                raise ShuttingDown("SHUTTING_DOWN",
                                   "This API process is shutting down; the job goes on, fetch its result with the "
                                   "job_id.", job_id=job_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished, timeout=min(remaining, RECHECK_SECONDS, left or RECHECK_SECONDS))
        finally:
            services.waiters.discard(job_id, finished)
