"""How a command reaches its database: found by `sluice.discovery`, one connection while it runs.

`--verbose` says which database that was (and where its URL came from) on standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import attrs

from sluice import db, discovery
from sluice.config import Settings

T = TypeVar("T")
Work = Callable[[asyncpg.Connection, Settings], Awaitable[T]]


def run_async(main: Callable[[], Awaitable[T]]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main())
    return uvloop.run(main())


def find(args: argparse.Namespace) -> discovery.Database:
    try:
        found = discovery.find()
    except discovery.NoDatabase as problem:
        raise SystemExit(str(problem)) from None
    if getattr(args, "verbose", False):
        print(f"Using the database {found.describe()}.", file=sys.stderr)
    return found


def settings(args: argparse.Namespace, found: discovery.Database | None = None) -> Settings:
    """The command's settings: the environment's, with the database (and secret key) found."""
    found = found or find(args)
    settings = Settings.from_env({**os.environ, "DATABASE_URL": found.url})
    return attrs.evolve(settings, secret_key=discovery.secret_key(found))


def run(args: argparse.Namespace, work: Work[T]) -> T:
    """Run `work` with one connection to the command's database and its settings; its result."""
    found = find(args)
    config = settings(args, found)

    async def main() -> T:
        try:
            conn = await db.connect(config.database_url)
        except (*db.UNAVAILABLE, asyncpg.PostgresError) as problem:
            raise SystemExit(f"Cannot reach the database {found.describe()}: {problem}. "
                             "Is it running (`make run`)?") from None
        try:
            return await work(conn, config)
        finally:
            await conn.close()

    return run_async(main)
