"""Owners' global variables: the values `load_from_db` fields name, stored encrypted."""

from __future__ import annotations

from typing import Any

import asyncpg

from sluice.crypto import Cipher, SecretKeyError, variable_binding
from sluice.store.statements import statement


async def put(conn: Any, cipher: Cipher, owner: str, name: str, value: str) -> bool:
    """Store the variable; True when it is new, False when it replaced a value."""
    sealed = cipher.encrypt(value.encode(), variable_binding(owner, name))
    return await conn.fetchval(statement("set_variable"), owner, name, sealed)


async def read(conn: Any, cipher: Cipher | None, owner: str, name: str) -> str | None:
    """The variable's value, or None when the owner has none by that name.

    `cipher` is needed only when the variable exists; without one that is an error, not a miss.
    """
    sealed = await conn.fetchval(statement("read_variable"), owner, name)
    if sealed is None:
        return None
    if cipher is None:
        raise SecretKeyError(f"The global variable {name} is stored encrypted, but SLUICE_SECRET_KEY is not set.")
    return cipher.decrypt(sealed, variable_binding(owner, name)).decode()


async def list_all(conn: Any, owner: str | None) -> list[asyncpg.Record]:
    return await conn.fetch(statement("list_variables"), owner)


async def delete(conn: Any, owner: str, name: str) -> bool:
    return await conn.fetchval(statement("delete_variable"), owner, name) is not None
