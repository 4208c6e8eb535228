"""Langflow's webhook: `POST /api/v1/webhook/{flow_id_or_name}` queues a run of the flow with the raw
body as its Webhook components' `data`, and answers 202 at once; the job is durable like any other.

As in Langflow, the caller needs an API key unless the operator turned webhook authentication off
(SLUICE_WEBHOOK_AUTH_ENABLE=false, or Langflow's LANGFLOW_WEBHOOK_AUTH_ENABLE); then a caller without
a key runs the flow it names as the flow's owner, but only by the flow's id: endpoint names are
chosen by tenants and are not unique across them.
"""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from sluice.http.errors import ApiError
from sluice.http.responses import JSONResponse
from sluice.http.variables import sealed_variables
from sluice.runs import submit
from sluice.runs.errors import NotFound
from sluice.runs.v1 import webhook_inputs
from sluice.store import flows


def _flow_not_found(reference: str) -> NotFound:
    return NotFound("FLOW_NOT_FOUND", f"Flow {reference} was not found.", flow_id=reference)


async def webhook_owner(request: Request, reference: str) -> str:
    """Whom the run belongs to: the key's owner; without a key, the flow's (if the operator allows)."""
    services = request.app.state.sluice
    key = request.headers.get("x-api-key") or request.query_params.get("x-api-key")
    if key:
        owner = await services.keys.owner(key)
        if owner is None:
            raise ApiError(403, "FORBIDDEN", "The API key is not valid.")
        return owner
    if services.settings.webhook_auth:
        raise ApiError(403, "FORBIDDEN", "An API key is required: webhook authentication is on.")
    try:
        flow_id = UUID(reference)
    except ValueError:
        raise _flow_not_found(reference) from None
    owner = await flows.owner_of(services.pool, flow_id)
    if owner is None:
        raise _flow_not_found(reference)
    return owner


async def run_webhook(request: Request) -> Response:
    services = request.app.state.sluice
    reference = request.path_params["flow_id_or_name"]
    owner = await webhook_owner(request, reference)
    raw = await request.body()
    if not raw:
        raise ApiError(400, "INVALID_REQUEST", "The request body is empty; send the payload for the flow's webhook.")
    try:
        payload = raw.decode()
    except UnicodeDecodeError:
        raise ApiError(400, "INVALID_REQUEST", "The request body must be UTF-8 text.") from None
    # Per-run variables (X-LANGFLOW-GLOBAL-VAR-*) only from a caller with a key: without one, anybody
    # could set them for the owner's flow.
    keyed = bool(request.headers.get("x-api-key") or request.query_params.get("x-api-key"))
    prepared = await submit.prepare(
        services, owner, reference, None, webhook_inputs(payload),
        secrets=lambda job_id: sealed_variables(request, job_id, services.settings) if keyed else None)
    enqueued = await submit.enqueued(prepared)
    return JSONResponse({"message": "Task started in the background", "status": "in progress",
                         "job_id": str(enqueued.job_id)}, status_code=202)
