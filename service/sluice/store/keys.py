"""API keys: made here, shown once, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

import asyncpg

from sluice.store.statements import statement

PREFIX = "sk-"


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


async def create(conn: Any, owner: str, name: str = "") -> str:
    key = new_key()
    await conn.execute(statement("insert_api_key"), uuid.uuid4(), owner, name, key_hash(key))
    return key


async def owner_of(conn: Any, key: str) -> str | None:
    """The owner of a live key. Found by an index lookup on the key's hash, so the time it takes
    does not depend on how much of a wrong key matches a right one."""
    return await owner_of_hash(conn, key_hash(key))


async def owner_of_hash(conn: Any, digest: bytes) -> str | None:
    return await conn.fetchval(statement("find_api_key"), digest)


async def list_all(conn: Any, owner: str | None) -> list[asyncpg.Record]:
    return await conn.fetch(statement("list_api_keys"), owner)


async def revoke(conn: Any, key_id: uuid.UUID) -> bool:
    return await conn.fetchval(statement("revoke_api_key"), key_id) is not None
