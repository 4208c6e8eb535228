"""Connections to PostgreSQL: pools with JSON codecs, and the dedicated LISTEN connection."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

# Failures that mean the database cannot be reached right now, as opposed to a bug in a query.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    # A connection left mid-operation when its server process was terminated under it.
    asyncpg.InternalClientError,
)
# What a background loop survives and retries: the database unreachable, or a statement refused.
ERRORS: tuple[type[BaseException], ...] = (*UNAVAILABLE, asyncpg.PostgresError)


def _encode_json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb crosses the wire as text; orjson makes both directions several times faster than json.
    for type_name in ("jsonb", "json"):
        await conn.set_type_codec(
            type_name, encoder=_encode_json, decoder=orjson.loads, schema="pg_catalog", format="text"
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to undo when a connection goes back to its pool: Sluice keeps no session state on
    pool connections (LISTEN has its own connection, migrations unlock their advisory lock).
    asyncpg's default reset query would cost a round trip and a commit on every release, as
    much as the statement itself; an open transaction is still rolled back by asyncpg."""
    return None


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10,
                      wait_for_flush: bool = True) -> asyncpg.Pool:
    """A pool of connections set up for Sluice. With `wait_for_flush=False` a commit returns before
    its WAL reaches the disk (synchronous_commit off): only for writes whose loss in a database
    crash is harmless (see the worker's claim pool)."""
    return await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        server_settings={} if wait_for_flush else {"synchronous_commit": "off"},
        init=_init_connection,
        reset=_keep_session,
        # Statements come from a fixed set of files, so the statement cache always hits.
        statement_cache_size=256,
        command_timeout=60,
    )


async def connect(url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn
