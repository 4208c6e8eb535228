"""Projects: an owner's named folders of flows (Langflow's projects, once called folders)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import attrs

from sluice.store.statements import statement


@attrs.frozen
class Project:
    id: UUID
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


def _project(row: asyncpg.Record) -> Project:
    return Project(row["id"], row["name"], row["description"], row["created_at"], row["updated_at"])


async def insert(conn: Any, project_id: UUID, owner: str, name: str, description: str) -> Project:
    return _project(await conn.fetchrow(statement("insert_project"), project_id, owner, name, description))


async def list_all(conn: Any, owner: str) -> list[Project]:
    return [_project(row) for row in await conn.fetch(statement("list_projects"), owner)]


async def read(conn: Any, project_id: UUID, owner: str) -> Project | None:
    row = await conn.fetchrow(statement("read_project"), project_id, owner)
    return None if row is None else _project(row)


async def update(conn: Any, project_id: UUID, owner: str, name: str | None, description: str | None
                 ) -> Project | None:
    row = await conn.fetchrow(statement("update_project"), project_id, owner, name, description)
    return None if row is None else _project(row)


async def delete(conn: Any, project_id: UUID, owner: str) -> bool:
    return await conn.fetchrow(statement("delete_project"), project_id, owner) is not None


async def move_flows(conn: Any, project_id: UUID, owner: str, flow_ids: Sequence[UUID]) -> int:
    return await conn.fetchval(statement("move_flows_to_project"), project_id, owner, list(flow_ids))
