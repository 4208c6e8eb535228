"""API keys on requests: the `x-api-key` header or query parameter, resolved to an owner.

Live keys are cached by hash in the process; a revoke NOTIFY (or a lost LISTEN connection) drops
them, so a revoked key stops working at once without a query per request.
"""

from __future__ import annotations

import uuid

import asyncpg
from starlette.requests import Request

from sluice.http.errors import ApiError
from sluice.store import keys


class KeyCache:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._owners: dict[bytes, str] = {}

    async def owner(self, key: str) -> str | None:
        return await self.owner_of_hash(keys.key_hash(key))

    async def owner_of_hash(self, digest: bytes) -> str | None:
        """The owner of the live key with this hash (the dashboard's session holds only the hash)."""
        owner = self._owners.get(digest)
        if owner is None:
            owner = await keys.owner_of_hash(self._pool, digest)
            if owner is not None:
                self._owners[digest] = owner
        return owner

    def forget(self, hex_hash: str) -> None:
        self._owners.pop(bytes.fromhex(hex_hash), None)

    def clear(self) -> None:
        self._owners.clear()


# Langflow's APIs name users by UUID (a flow's `user_id`, a file's); an owner's is derived from its
# name, so it is stable and never shows the name itself.
_OWNERS = uuid.UUID("6d1f0a4e-3c59-4f7e-9d35-2b8c1e5a7f90")


def owner_uuid(owner: str) -> uuid.UUID:
    return uuid.uuid5(_OWNERS, owner)


async def require_owner(request: Request) -> str:
    key = request.headers.get("x-api-key") or request.query_params.get("x-api-key")
    if not key:
        raise ApiError(401, "UNAUTHORIZED", "An API key is required in the x-api-key header.")
    owner = await request.app.state.sluice.keys.owner(key)
    if owner is None:
        raise ApiError(401, "UNAUTHORIZED", "The API key is not valid.")
    return owner
