"""Flows and their immutable versions."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg
import attrs
import orjson

from sluice.models import FlowSummary
from sluice.store.statements import statement


class EndpointNameTaken(ValueError):
    """Another flow of the same owner already answers to this endpoint name."""


class FlowIdTaken(ValueError):
    """A flow (perhaps another owner's) already has the id a new flow asked for."""


@attrs.frozen
class StoredFlow:
    summary: FlowSummary
    graph: Mapping[str, Any]


def version_of(graph: Mapping[str, Any]) -> str:
    """A version names its graph's content: the same graph always gets the same version."""
    canonical = orjson.dumps(graph, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:16]


def _summary(row: asyncpg.Record) -> FlowSummary:
    return FlowSummary(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        endpoint_name=row["endpoint_name"],
        version=row["current_version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        timeout_seconds=row["timeout_seconds"],
        project_id=row["project_id"],
    )


async def insert(conn: Any, *, flow_id: UUID, owner: str, name: str, description: str,
                 endpoint_name: str, graph: Mapping[str, Any], timeout_seconds: int | None = None,
                 project_id: UUID | None = None) -> FlowSummary:
    row = await conn.fetchrow(statement("insert_flow"), flow_id, owner, name, description,
                              endpoint_name, version_of(graph), graph, timeout_seconds, project_id)
    return _summary(row)


_ENDPOINT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


class InvalidEndpointName(ValueError):
    """An export's endpoint name that Sluice cannot route to."""


def exported_endpoint_name(export: Mapping[str, Any]) -> str | None:
    """The endpoint name an export asks for, or None when it asks for none."""
    name = export.get("endpoint_name")
    # Some Langflow exports write a missing endpoint name as the text "None".
    if name is None or name in ("", "None"):
        return None
    if not isinstance(name, str) or not _ENDPOINT_NAME.match(name):
        raise InvalidEndpointName("The endpoint_name may only hold letters, digits, `-` and `_` (at most 100).")
    return name


class InvalidTimeout(ValueError):
    """A flow's `timeout_seconds` that is not a positive whole number."""


def exported_timeout(export: Mapping[str, Any]) -> int | None:
    """The maximum run time an export sets for its jobs (`timeout_seconds`), or None."""
    value = export.get("timeout_seconds")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidTimeout("The timeout_seconds must be a whole number of seconds, at least 1.")
    return value


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "flow"


async def create(pool: asyncpg.Pool, *, owner: str, name: str, description: str,
                 endpoint_name: str | None, graph: Mapping[str, Any],
                 timeout_seconds: int | None = None, project_id: UUID | None = None,
                 flow_id: UUID | None = None) -> FlowSummary:
    """Store a new flow (with `flow_id`, under that id). An endpoint name given by the export must
    be free; one derived from the flow's name gets a numeric suffix until it is."""
    base = slug(name)
    candidates = [endpoint_name] if endpoint_name else [base] + [f"{base}-{n}" for n in range(2, 1000)]
    for candidate in candidates:
        try:
            return await insert(pool, flow_id=flow_id or uuid.uuid4(), owner=owner, name=name,
                                description=description, endpoint_name=candidate, graph=graph,
                                timeout_seconds=timeout_seconds, project_id=project_id)
        except asyncpg.UniqueViolationError as violation:
            if violation.constraint_name == "flows_pkey":
                raise FlowIdTaken(f"A flow with the id {flow_id} exists already.") from None
            continue
    raise EndpointNameTaken(f"Another of your flows already has the endpoint name {candidates[-1]}.")


async def update(conn: Any, *, flow_id: UUID, owner: str, name: str, description: str,
                 endpoint_name: str, graph: Mapping[str, Any],
                 timeout_seconds: int | None, project_id: UUID | None = None) -> FlowSummary | None:
    row = await conn.fetchrow(statement("update_flow"), flow_id, owner, name, description,
                              endpoint_name, version_of(graph), graph, timeout_seconds, project_id)
    return None if row is None else _summary(row)


async def read(conn: Any, owner: str, reference: str) -> StoredFlow | None:
    """A flow by its id or its endpoint name."""
    try:
        flow_id: UUID | None = UUID(reference)
    except ValueError:
        flow_id = None
    row = await conn.fetchrow(statement("read_flow"), owner, flow_id, reference)
    return None if row is None else StoredFlow(summary=_summary(row), graph=row["graph"])


async def read_version(conn: Any, owner: str, flow_id: UUID, version: str) -> Mapping[str, Any] | None:
    return await conn.fetchval(statement("read_flow_version"), flow_id, version, owner)


async def owner_of(conn: Any, flow_id: UUID) -> str | None:
    return await conn.fetchval(statement("flow_owner"), flow_id)


async def list_all(conn: Any, owner: str, project_id: UUID | None = None) -> list[FlowSummary]:
    return [_summary(row) for row in await conn.fetch(statement("list_flows"), owner, project_id)]


async def list_versions(conn: Any, owner: str, flow_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(statement("list_flow_versions"), flow_id, owner)


async def delete(conn: Any, owner: str, flow_id: UUID) -> bool:
    return await conn.fetchval(statement("delete_flow"), flow_id, owner) is not None
