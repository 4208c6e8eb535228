"""What a component may use while it runs: the job it belongs to, a way to record events, the
worker's shared services (database, HTTP clients, chat history, settings), and global variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs
import httpx
import orjson

from sluice.config import Settings
from sluice.crypto import SecretKeyError, job_binding
from sluice.engine.errors import ComponentError
from sluice.engine.history import History
from sluice.engine.services import Services

EventSink = Callable[[str, Mapping[str, Any]], None]

# Resolved values shorter than this are not masked in error messages: masking "1" would garble them.
_MIN_REDACTED = 4


def _discard(event_type: str, data: Mapping[str, Any]) -> None:
    return None


def moment() -> str:
    """Now, as component events record it (ISO 8601, UTC): the job's timeline is drawn from these,
    since an event's own `created_at` is when its batch was written, not when it happened."""
    return datetime.now(UTC).isoformat()


@attrs.define
class RunContext:
    job_id: UUID
    owner: str
    flow_id: UUID
    session_id: str
    # Records an event in the job's durable log (e.g. a model's `token` chunks).
    emit: EventSink = _discard
    services: Services = attrs.field(factory=Services)
    # The run's chat history: its own in a worker (see sluice/engine/history.py), else the services'.
    history: History = attrs.field(default=attrs.Factory(lambda context: context.services.history, takes_self=True))
    # The run's X-LANGFLOW-GLOBAL-VAR-* header values, still encrypted (opened on first use).
    sealed_variables: bytes | None = attrs.field(default=None, repr=False)
    # Human decisions this run resumed with, by request id (sluice/engine/pause.py).
    decisions: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    _request_variables: dict[str, str] | None = attrs.field(default=None, init=False, repr=False)
    _resolved: dict[str, str | None] = attrs.field(factory=dict, init=False, repr=False)
    # Values the worker's environment lent this run's secret fields: masked wherever they could show.
    _from_environment: set[str] = attrs.field(factory=set, init=False, repr=False)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def http(self) -> httpx.AsyncClient:
        """Shared HTTP client for endpoints the operator configured (model APIs)."""
        return self.services.http

    @property
    def public_http(self) -> httpx.AsyncClient:
        """Shared HTTP client for URLs a flow or its inputs supply: private addresses are refused."""
        return self.services.public_http

    async def variable(self, name: str, secret: bool = False) -> str | None:
        """A global variable: the run's header value, else the owner's stored variable; None when
        neither has it. Only for a `secret` field (one its component declares, such as a model's
        `api_key`) does the worker's environment stand in, and only for a name the operator offers
        (SLUICE_ENV_VARIABLES, never one of Sluice's own settings)."""
        if name not in self._resolved:
            try:
                value = self._from_request(name)
                if value is None and self.services.read_variable is not None:
                    value = await self.services.read_variable(self.owner, name)
            except SecretKeyError as error:
                raise ComponentError(str(error)) from None
            self._resolved[name] = value
        value = self._resolved[name]
        if value is None and secret and self.settings.offers_environment(name):
            value = os.environ.get(name)
            if value:
                self._from_environment.add(value)
        return value

    def lent_values(self) -> frozenset[str]:
        """The values the worker's environment lent this run: the worker masks them in all it records."""
        return frozenset(value for value in self._from_environment if len(value) >= _MIN_REDACTED)

    def redact(self, text: str) -> str:
        """`text` with every global variable value this run resolved masked, for error messages."""
        for value in (*self._resolved.values(), *self._from_environment):
            if value and len(value) >= _MIN_REDACTED:
                text = text.replace(value, "***")
        return text

    def _from_request(self, name: str) -> str | None:
        if self.sealed_variables is None:
            return None
        if self._request_variables is None:
            cipher = self.services.cipher
            if cipher is None:
                raise SecretKeyError("This run's global variables came in request headers, but this worker "
                                     "has no SLUICE_SECRET_KEY to open them.")
            self._request_variables = orjson.loads(cipher.decrypt(self.sealed_variables, job_binding(self.job_id)))
        return self._request_variables.get(name)
