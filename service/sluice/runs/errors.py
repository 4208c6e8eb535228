"""Why a run could not be submitted, waited for, stopped or retried: one sentence and a code."""

from __future__ import annotations

from typing import Any


class RunError(Exception):
    """`detail` is one sentence for a person; `code` is UPPER_SNAKE for programs; `ids` name what
    it is about (job_id, flow_id, key)."""

    def __init__(self, code: str, detail: str, **ids: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.ids = {key: str(value) for key, value in ids.items() if value is not None}


class NotFound(RunError):
    """The flow, flow version or job does not exist for this owner."""


class InvalidRun(RunError):
    """The request itself is wrong: inputs that do not fit the flow, a malformed field."""


class Conflict(RunError):
    """The request is valid but clashes with what is stored (a reused idempotency key, a job in
    the wrong status)."""


class InvalidDecision(RunError):
    """A resume's decision is not one the paused run allows."""


class StillRunning(RunError):
    """A sync wait ended before the job did; the job goes on and its result can be fetched later."""


class RunFailed(RunError):
    """The run ended without a result: its flow failed, or it was stopped or ran out of time
    (callers that answer with the result alone, like Langflow's v1 run, report it as an error)."""


class ShuttingDown(RunError):
    """This process is stopping before the job ended; the job goes on elsewhere."""


def job_not_found(job_id: Any) -> NotFound:
    return NotFound("JOB_NOT_FOUND", f"Job {job_id} was not found.", job_id=job_id)
