"""The SQL component against a real PostgreSQL database: read-only, bind parameters, limits, output type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

import flowkit
import inprocess
from conftest import REPOSITORY, Cluster, Service, start_postgres, start_service
from sluice.config import Settings
from sluice.embedded_db import EmbeddedPostgres
from sluice.engine.runner import FlowFailed
from sluice.engine.services import Services

# A PostgreSQL server of its own (the module fixture `other_server`).
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def other_server() -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL that is not Sluice's own (that one the component can never reach)."""
    server = start_postgres(REPOSITORY / ".data" / "test-postgres-sql")
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def target(other_server: EmbeddedPostgres) -> AsyncIterator[str]:
    """A database for the component to query, with a small table."""
    other_server.create_database("people")
    url = other_server.url("people")
    conn = await asyncpg.connect(url)
    await conn.execute("drop table if exists people")
    await conn.execute("create table people (id int primary key, name text, score numeric, born date, "
                       "photo bytea, active bool)")
    await conn.execute("insert into people values (1, 'alice', 9.5, '1990-01-02', '\\xCAFE', true), "
                       "(2, 'bob', 7, null, null, false)")
    await conn.close()
    yield url


@pytest.fixture(scope="module")
async def service(cluster: Cluster) -> AsyncIterator[Service]:
    async with start_service(cluster, {"SLUICE_ALLOWED_HOSTS": "127.0.0.1"}) as running:
        yield running


async def people(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return [row["name"] for row in await conn.fetch("select name from people order by id")]
    finally:
        await conn.close()


def sql_flow(url: str, query: str, parameters: Any = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"database_url": url, "query": flowkit.field(query, "code"),
                              "include_columns": flowkit.field(True, "bool")}
    if parameters is not None:
        fields["parameters"] = flowkit.field(parameters, "other", list=True)
    return flowkit.export("SQL", [flowkit.node("SQLComponent-1", "SQLComponent", fields, outputs=("run_sql_query",))],
                          [])


async def query(url: str, text: str, parameters: Any = None, allowed: tuple[str, ...] = ("127.0.0.1",),
                **settings: Any) -> Any:
    services = Services(Settings(database_url="", allowed_hosts=allowed, **settings))
    try:
        outputs = await inprocess.run(sql_flow(url, text, parameters), services=services)
    finally:
        await services.aclose()
    return outputs["SQLComponent-1"]


async def test_a_select_returns_columns_and_rows_as_json_values(target):
    output = await query(target, "select id, name, score, born, photo, active from people order by id")
    assert output.type == "sql"
    assert output.content == {
        "columns": ["id", "name", "score", "born", "photo", "active"],
        "rows": [[1, "alice", 9.5, "1990-01-02", "\\xcafe", True], [2, "bob", 7.0, None, None, False]],
    }
    assert output.metadata == {"row_count": 2, "truncated": False}


async def test_writes_fail_cleanly_in_the_read_only_transaction(target):
    for statement in ("insert into people values (3, 'mallory', 0, null, null, true)",
                      "with gone as (delete from people returning id) select * from gone",
                      "create table intruder (x int)"):
        with pytest.raises(FlowFailed, match="read-only transaction") as failure:
            await query(target, statement)
        assert failure.value.component_id == "SQLComponent-1"
    assert await people(target) == ["alice", "bob"]


async def test_only_one_statement_runs(target):
    with pytest.raises(FlowFailed, match="multiple commands"):
        await query(target, "select 1; delete from people")
    assert await people(target) == ["alice", "bob"]


async def test_bind_parameters_are_values_never_sql(target):
    by_name = "select name from people where name = $1"
    assert (await query(target, by_name, ["alice"])).content["rows"] == [["alice"]]
    # Interpolated, this would match every row; bound, it is just an odd name.
    assert (await query(target, by_name, ["alice' or '1'='1"])).content["rows"] == []
    hostile = "x'); delete from people; --"
    assert (await query(target, "select $1::text as echoed", [hostile])).content["rows"] == [[hostile]]
    assert await people(target) == ["alice", "bob"]


async def test_a_parameter_count_mismatch_is_a_clear_failure(target):
    with pytest.raises(FlowFailed, match="The query failed"):
        await query(target, "select name from people where id = $1")


async def test_a_long_query_is_stopped_by_the_statement_timeout(target):
    with pytest.raises(FlowFailed, match="statement timeout"):
        await query(target, "select pg_sleep(5)", sql_timeout=0.5)


async def test_rows_beyond_the_limit_are_cut_and_flagged(target):
    output = await query(target, "select n from generate_series(1, 10) as n", sql_max_rows=4)
    assert output.content["rows"] == [[1], [2], [3], [4]]
    assert output.metadata == {"row_count": 4, "truncated": True}


async def test_the_database_host_passes_the_network_policy(target):
    with pytest.raises(FlowFailed, match="it is a loopback address"):
        await query(target, "select 1", allowed=())


@pytest.mark.parametrize(("url", "message"), [
    ("", "No database URL was given"),
    ("sqlite:///tmp/x.db", "Only PostgreSQL database URLs"),
    ("postgresql:///sluice", "must name a user and a host"),
])
async def test_unusable_database_urls_are_clear_failures(url, message):
    with pytest.raises(FlowFailed, match=message):
        await query(url, "select 1")


async def test_a_wrong_password_names_the_database_but_not_the_password(target):
    parts = urlsplit(target)
    unknown = f"postgresql://nobody:hunter22@127.0.0.1:{parts.port}/no_such_db"
    with pytest.raises(FlowFailed) as failure:
        await query(unknown, "select 1")
    assert f"Could not connect to the database at 127.0.0.1:{parts.port}/no_such_db" in failure.value.message
    assert "hunter22" not in failure.value.message


async def test_the_sql_output_and_bind_parameters_through_the_api(service, client, target):
    flow = await service.flow(client, sql_flow(target, "select name, $1::int * 2 as doubled from people where id = $2"))
    response = await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"SQLComponent-1.parameters": [21, 1]},
    })
    body = response.json()
    assert body["status"] == "completed", body
    assert body["outputs"]["SQLComponent-1"]["type"] == "sql"
    assert body["outputs"]["SQLComponent-1"]["content"] == {"columns": ["name", "doubled"], "rows": [["alice", 42]]}


async def test_unknown_parameters_are_refused_before_queueing(service, client, target):
    flow = await service.flow(client, sql_flow(target, "select 1"))
    response = await client.post("/api/v2/workflows", json={
        "flow_id": flow["id"], "inputs": {"SQLComponent-1.nonsense": [1]},
    })
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_INPUTS"
