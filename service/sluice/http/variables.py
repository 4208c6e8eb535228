"""Per-run global variables: `X-LANGFLOW-GLOBAL-VAR-<NAME>` request headers, as Langflow reads them,
and the `globals` of Langflow 1.13's body (which win over headers of the same name).

The values are encrypted for the job at once (bound to its id) and stored beside its inputs; the
worker opens them when a `load_from_db` field names one, and they are erased when the job ends.
They never appear in a response, an event or a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import orjson
from starlette.requests import Request

from sluice.config import Settings
from sluice.crypto import Cipher, SecretKeyError, job_binding
from sluice.http.errors import ApiError

PREFIX = "x-langflow-global-var-"


def header_variables(request: Request) -> dict[str, str]:
    """Variable name (upper case, as Langflow makes it) to value, from the request's headers."""
    return {
        name[len(PREFIX):].upper(): value
        for name, value in request.headers.items()
        if name.startswith(PREFIX) and len(name) > len(PREFIX)
    }


def sealed_variables(request: Request, job_id: UUID, settings: Settings,
                     body_globals: Mapping[str, str] | None = None) -> bytes | None:
    variables = {**header_variables(request), **(body_globals or {})}
    if not variables:
        return None
    try:
        cipher = Cipher.from_key(settings.secret_key)
    except SecretKeyError:
        raise ApiError(400, "GLOBAL_VARIABLES_UNAVAILABLE",
                       "This server cannot accept per-run global variables (X-LANGFLOW-GLOBAL-VAR-* headers or "
                       "`globals`): its SLUICE_SECRET_KEY is not set (or too short).") from None
    return cipher.encrypt(orjson.dumps(variables), job_binding(job_id))
