"""What a component may use while it runs: the job it belongs to, and a way to record events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

import attrs

EventSink = Callable[[str, Mapping[str, Any]], None]


def _discard(event_type: str, data: Mapping[str, Any]) -> None:
    return None


@attrs.define
class RunContext:
    job_id: UUID
    owner: str
    flow_id: UUID
    session_id: str
    # Records an event in the job's durable log (e.g. a model's `token` chunks).
    emit: EventSink = _discard
