"""Apply `sluice/store/migrations/NNN_name.sql` in order, once each, under an advisory lock.

Several processes may start at once (API and workers on many machines); the lock makes exactly one
of them apply what is missing while the others wait and then find nothing to do.
"""

from __future__ import annotations

import re

import asyncpg

from sluice.store.statements import MIGRATIONS, sql_files

# An arbitrary constant that names Sluice's migration lock among advisory locks.
MIGRATION_LOCK = 5_117_200_001
_FILE_NAME = re.compile(r"^(\d+)_[\w-]+\.sql$")


def available() -> list[tuple[int, str]]:
    """(version, file name) of every migration file, in order."""
    found = []
    for entry in sql_files(MIGRATIONS):
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name))
    return sorted(found)


def latest_version() -> int:
    return available()[-1][0]


async def applied_version(conn: asyncpg.Connection) -> int:
    """The newest migration applied to this database, 0 for none."""
    exists = await conn.fetchval("select to_regclass('sluice_migrations') is not null")
    if not exists:
        return 0
    return await conn.fetchval("select coalesce(max(version), 0) from sluice_migrations")


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply the missing migrations; returns the names of those applied."""
    applied: list[str] = []
    await conn.execute("select pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(
            "create table if not exists sluice_migrations ("
            " version int primary key, name text not null,"
            " applied_at timestamptz not null default now())"
        )
        done = await applied_version(conn)
        for version, name in available():
            if version <= done:
                continue
            async with conn.transaction():
                await conn.execute((MIGRATIONS / name).read_text(encoding="utf-8"))
                await conn.execute(
                    "insert into sluice_migrations (version, name) values ($1, $2)", version, name
                )
            applied.append(name)
    finally:
        await conn.execute("select pg_advisory_unlock($1)", MIGRATION_LOCK)
    return applied
