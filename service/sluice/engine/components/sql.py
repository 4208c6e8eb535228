"""SQL Database (`SQLComponent`): one query on the PostgreSQL database the node's URL names.

The query runs in a READ ONLY transaction on a session whose default is read-only too, under a
statement timeout (SLUICE_SQL_TIMEOUT), and returns at most SLUICE_SQL_MAX_ROWS rows. Values for
`$1`, `$2`... placeholders come from the `parameters` list (a run's inputs may set it) and are sent
as bind parameters, never spliced into the text. The database host passes the same network policy
as HTTP requests: a private address only when SLUICE_ALLOWED_HOSTS lists it, and Sluice's own
database never. The output (`run_sql_query`) is a table to the next component and `sql` in the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
import attrs

from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Field, Node
from sluice.engine.network import UnresolvableHost
from sluice.engine.outputs import TypedContent, TypedValue
from sluice.engine.values import DataFrame, Message, to_text

# SQLAlchemy-style URLs name a driver after a `+`; any PostgreSQL one is served by asyncpg.
_SCHEMES = ("postgresql", "postgres")
_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
CONNECT_TIMEOUT = 10.0


@attrs.frozen
class QueryResult(DataFrame, TypedValue):
    column_names: tuple[str, ...] = ()
    values: tuple[tuple[Any, ...], ...] = ()
    truncated: bool = False

    def typed_content(self) -> TypedContent:
        return TypedContent(
            "sql",
            {"columns": list(self.column_names), "rows": [list(row) for row in self.values]},
            {"row_count": len(self.values), "truncated": self.truncated},
        )


@attrs.frozen
class _Target:
    host: str
    port: int
    user: str
    password: str
    database: str
    ssl: str | None

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"


class SQLComponent(Component):
    extra_fields = {"parameters": Field(name="parameters", value=None, type="other", is_list=True)}

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        target = _target(to_text(params.get("database_url")).strip())
        query = to_text(params.get("query")).strip()
        if not query:
            raise ComponentError("No SQL query was given: set `query`.")
        arguments = _arguments(params.get("parameters"))
        conn = await _connect(context, target)
        try:
            return {"run_sql_query": await _query(conn, query, arguments, context.settings.sql_max_rows)}
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise ComponentError(f"The query failed: {error}") from None
        finally:
            await conn.close()


def _target(url: str) -> _Target:
    if not url:
        raise ComponentError("No database URL was given: set `database_url` (postgresql://user:password@host/db).")
    parts = urlsplit(url)
    if parts.scheme.partition("+")[0] not in _SCHEMES:
        raise ComponentError("Only PostgreSQL database URLs (postgresql://...) are supported.")
    try:
        port = parts.port or 5432
    except ValueError:
        raise ComponentError("The database URL has an invalid port.") from None
    if not parts.hostname or not parts.username:
        raise ComponentError("The database URL must name a user and a host (postgresql://user:password@host/db).")
    ssl = parse_qs(parts.query).get("sslmode", [None])[0]
    if ssl is not None and ssl not in _SSL_MODES:
        raise ComponentError(f"Unknown sslmode {ssl!r} in the database URL.")
    user = unquote(parts.username)
    return _Target(
        host=parts.hostname,
        port=port,
        user=user,
        # Always explicit: an empty password must not fall back to the worker's PGPASSWORD or .pgpass.
        password=unquote(parts.password or ""),
        database=unquote(parts.path.lstrip("/")) or user,
        ssl=ssl,
    )


def _arguments(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [to_text(item) if isinstance(item, Message) else item for item in value]
    if isinstance(value, Message):
        return [value.text]
    if isinstance(value, str | int | float | bool):
        return [value]
    raise ComponentError("`parameters` must be a list of values for $1, $2, ... in the query.")


async def _connect(context: RunContext, target: _Target) -> asyncpg.Connection:
    try:
        addresses = await context.services.network.resolve(target.host, target.port)
    except UnresolvableHost as error:
        raise ComponentError(str(error)) from None
    settings = context.settings
    failure: BaseException | None = None
    for address in addresses:  # each one checked by the network policy
        try:
            return await asyncpg.connect(
                host=address, port=target.port, user=target.user, password=target.password,
                database=target.database, ssl=target.ssl, timeout=min(CONNECT_TIMEOUT, settings.sql_timeout),
                command_timeout=settings.sql_timeout + CONNECT_TIMEOUT, statement_cache_size=0,
                server_settings={
                    "default_transaction_read_only": "on",
                    "statement_timeout": str(int(settings.sql_timeout * 1000)),
                    "application_name": "sluice-sql-component",
                },
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            failure = error
    raise ComponentError(f"Could not connect to the database at {target}: {failure}")


async def _query(conn: asyncpg.Connection, query: str, arguments: list[Any], max_rows: int) -> QueryResult:
    async with conn.transaction(readonly=True):
        statement = await conn.prepare(query)
        columns = tuple(attribute.name for attribute in statement.get_attributes())
        cursor = await statement.cursor(*arguments)
        records = await cursor.fetch(max_rows + 1)
    values = tuple(tuple(_plain(value) for value in record) for record in records[:max_rows])
    return QueryResult(
        rows=tuple(dict(zip(columns, row, strict=True)) for row in values),
        column_names=columns,
        values=values,
        truncated=len(records) > max_rows,
    )


def _plain(value: Any) -> Any:
    """A column value as JSON can carry it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)
