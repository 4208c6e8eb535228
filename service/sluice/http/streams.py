"""Server-sent events: a job's durable event log, replayed past a position and then followed live.

Each event is `id: <seq>`, `event: <type>`, `data: <json>`. The stream ends after the `end` event. A
client that reconnects with the last id it saw (`sequence_id`, or the `Last-Event-ID` header that
EventSource sends) gets exactly the events after it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from sluice.http.errors import ApiError
from sluice.http.feeds import JobFeeds
from sluice.models import Job
from sluice.store.jobs import LoggedEvent

KEEPALIVE = b": keep-alive\n\n"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def resume_after(request: Request) -> int:
    """The sequence number to resume after: the `Last-Event-ID` header (a reconnecting EventSource
    repeats its first URL, so the header is the newer of the two), else `sequence_id`, else 0."""
    text = request.headers.get("last-event-id") or request.query_params.get("sequence_id") or "0"
    if not text.isdigit():
        raise ApiError(400, "INVALID_REQUEST", "The sequence_id must be a non-negative integer.")
    return int(text)


def job_stream(request: Request, job: Job, after: int) -> Response:
    """A stored job's events after `after`, which must be one of its sequence numbers (or 0)."""
    if after > job.event_seq:
        raise ApiError(400, "INVALID_REQUEST",
                       f"The sequence_id {after} is past the job's last event ({job.event_seq}).", job_id=job.id)
    return event_stream(request, job.id, after, ended=job.status.is_terminal and after == job.event_seq)


def event_stream(request: Request, job_id: UUID, after: int, *, ended: bool = False) -> Response:
    """The job's events after `after`; `ended` when the log holds nothing more to send."""
    if ended:
        return Response(b"", media_type="text/event-stream", headers=HEADERS)
    services = request.app.state.sluice
    body = _follow(services.feeds, job_id, after, services.settings.stream_keepalive)
    return StreamingResponse(body, media_type="text/event-stream", headers=HEADERS)


def _frame(event: LoggedEvent) -> bytes:
    return f"id: {event.seq}\nevent: {event.type}\ndata: {event.data}\n\n".encode()


async def _follow(feeds: JobFeeds, job_id: UUID, after: int, keepalive: float) -> AsyncIterator[bytes]:
    async for batch in feeds.tail(job_id, after, keepalive):
        yield KEEPALIVE if batch is None else b"".join(_frame(event) for event in batch)
