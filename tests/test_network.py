"""API Request and URL over real HTTP to a local server: the address policy, timeouts, size cap, crawling.

Most cases run the engine in-process with explicit settings (as the bench does); one runs through
the API and a worker to show how a refused request ends a job. Nothing here opens a connection to
an address outside loopback: refusals happen before any connection is made.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import flowkit
import inprocess
from httpserver import LocalServer, local_server
from sluice.config import Settings
from sluice.engine.components.web import _within
from sluice.engine.network import BlockedAddress, NetworkPolicy, database_endpoints
from sluice.engine.runner import FlowFailed
from sluice.engine.services import Services

# Local HTTP servers (the module fixture `server`).
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


@pytest.fixture
async def make_services() -> AsyncIterator[Any]:
    made: list[Services] = []

    def make(*allowed: str, **settings: Any) -> Services:
        made.append(Services(Settings(database_url="", allowed_hosts=allowed, **settings)))
        return made[-1]

    yield make
    for services in made:
        await services.aclose()


def api_request(url: str, **fields: Any) -> dict[str, Any]:
    node = flowkit.node("APIRequest-1", "APIRequest", {"url_input": url, "method": "GET", **fields}, outputs=("data",))
    return flowkit.export("API", [node], [])


def url_flow(urls: list[str], **fields: Any) -> dict[str, Any]:
    node = flowkit.node("URLComponent-1", "URLComponent", {"urls": flowkit.field(urls, list=True), **fields},
                        outputs=("page_results", "raw_results"))
    return flowkit.export("URL", [node], [])


async def fetched(services: Services, export: dict[str, Any]) -> Any:
    outputs = await inprocess.run(export, services=services)
    return next(iter(outputs.values())).content


REFUSED = [
    ("http://127.0.0.1:{port}/json", "loopback"),
    ("http://[::1]:{port6}/json", "loopback"),
    ("http://localhost:{port}/json", "loopback"),
    ("http://[::ffff:127.0.0.1]:{port}/json", "loopback"),
    ("http://0.0.0.0:{port}/json", "unspecified"),
    ("http://10.20.30.40/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fd00::1]/", "private"),
    ("http://[64:ff9b::a00:1]/", "private"),  # NAT64 for 10.0.0.1
    ("http://[2002:7f00:1::1]/", "loopback"),  # 6to4 for 127.0.0.1
]


@pytest.mark.parametrize(("template", "kind"), REFUSED)
async def test_api_request_to_a_non_public_address_is_refused_without_the_allow_list(
        server, make_services, template, kind):
    url = template.format(port=server.port, port6=server.port6)
    seen = len(server.requests)
    with pytest.raises(FlowFailed) as failure:
        await fetched(make_services(), api_request(url))
    assert f"it is a {kind} address" in failure.value.message
    assert "SLUICE_ALLOWED_HOSTS" in failure.value.message
    assert failure.value.component_id == "APIRequest-1"
    assert len(server.requests) == seen  # refused before connecting


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost"])
async def test_the_allow_list_lets_loopback_through(server, make_services, host):
    services = make_services("127.0.0.0/8", "::1")
    content = await fetched(services, api_request(server.url("/json?x=1", host)))
    assert content["status_code"] == 200
    assert content["source"] == server.url("/json?x=1", host)
    # The request names the host it was given, while the connection went to the checked address.
    assert content["result"]["host"] == f"{host}:{server.port6 if host == '[::1]' else server.port}"
    assert content["result"]["query"] == {"x": ["1"]}


async def test_a_host_allowed_by_name_does_not_open_its_addresses_to_other_names(server, make_services):
    services = make_services("localhost")
    assert (await fetched(services, api_request(server.url("/text", "localhost"))))["result"] == "plain words"
    with pytest.raises(FlowFailed, match="loopback"):
        await fetched(services, api_request(server.url("/text")))


async def test_allowing_loopback_does_not_allow_private_networks(make_services):
    with pytest.raises(FlowFailed, match="it is a private address"):
        await fetched(make_services("127.0.0.0/8", "::1"), api_request("http://10.0.0.7/"))


async def test_a_redirect_to_a_refused_address_is_refused(server, make_services):
    target = server.url("/json")
    start = server.url(f"/redirect?to={target}", "localhost")
    seen = len(server.requests)
    with pytest.raises(FlowFailed, match="loopback"):
        await fetched(make_services("localhost"), api_request(start, follow_redirects=flowkit.field(True, "bool")))
    assert [path for _, path, _, _ in server.requests[seen:]] == [f"/redirect?to={target}"]


async def test_api_request_sends_method_body_headers_and_query(server, make_services):
    export = api_request(
        server.url("/json"),
        method="POST",
        body=flowkit.field([{"key": "a", "value": "1"}, {"key": "b", "value": "text"}], "table"),
        headers=flowkit.field([{"key": "User-Agent", "value": "sluice-test"}], "table"),
        query_params="page=2",
    )
    content = await fetched(make_services("127.0.0.1"), export)
    assert content["status_code"] == 200
    assert content["response_headers"]["content-type"] == "application/json"
    result = content["result"]
    assert result["method"] == "POST"
    assert result["query"] == {"page": ["2"]}
    assert result["user_agent"] == "sluice-test"
    assert json.loads(result["body"]) == {"a": 1, "b": "text"}


async def test_a_slow_server_gives_an_error_answer_after_the_timeout(server, make_services):
    export = api_request(server.url("/slow"), timeout=flowkit.field(1, "int"))
    content = await fetched(make_services("127.0.0.1"), export)
    assert content["status_code"] == 500
    assert content["error"]


async def test_a_body_over_the_size_cap_fails_the_component(server, make_services):
    with pytest.raises(FlowFailed, match="larger than 100000 bytes"):
        await fetched(make_services("127.0.0.1", fetch_max_bytes=100_000), api_request(server.url("/big")))


async def test_only_http_urls_are_fetched(make_services):
    with pytest.raises(FlowFailed, match="only http and https"):
        await fetched(make_services(), api_request("file:///etc/passwd"))


async def test_url_component_returns_the_page_text(server, make_services):
    rows = await fetched(make_services("127.0.0.1"), url_flow([server.url("/site/")]))
    assert len(rows) == 1
    page = rows[0]
    assert page["url"] == server.url("/site/")
    assert page["title"] == "Home"
    assert page["description"] == "About Home"
    assert page["language"] == "en"
    assert page["content_type"] == "text/html"
    assert "Welcome home." in page["text"]
    assert "hidden" not in page["text"]


async def test_url_component_crawls_links_within_the_root_to_the_given_depth(server, make_services):
    export = url_flow([server.url("/site/")], max_depth=flowkit.field(2, "int"))
    rows = await fetched(make_services("127.0.0.1"), export)
    assert sorted(row["title"] for row in rows) == ["Home", "Page A", "Page B"]
    rows = await fetched(make_services("127.0.0.1"),
                         url_flow([server.url("/site/")], max_depth=flowkit.field(3, "int"),
                                  prevent_outside=flowkit.field(False, "bool")))
    assert sorted(row["title"] for row in rows) == ["Home", "Outside", "Page A", "Page B", "Page C"]


@pytest.mark.parametrize(("url", "endpoints"), [
    ("postgresql://u:p@db.internal:6432/sluice", (("db.internal", 6432),)),
    ("postgres://u@[::1]/x", (("::1", 5432),)),
    ("postgresql://u@a:5433,B.example/x?sslmode=require", (("a", 5433), ("b.example", 5432))),
    ("postgresql:///sluice?host=/var/run/postgresql&port=5544", (("", 5544),)),
    ("", ()),
])
def test_the_database_endpoints_are_read_from_its_url(url, endpoints):
    assert database_endpoints(url) == endpoints


async def test_the_database_is_refused_on_its_port_only(server):
    policy = NetworkPolicy.allowing(["127.0.0.0/8", "::1"], ["postgresql://u:p@localhost:5999/sluice"])
    for host in ("127.0.0.1", "127.9.9.9", "::1", "localhost"):
        with pytest.raises(BlockedAddress, match="Sluice's own database"):
            await policy.resolve(host, 5999)
    assert await policy.resolve("127.0.0.1", server.port) == ["127.0.0.1"]
    remote = NetworkPolicy.allowing(["10.0.0.0/8"], ["postgresql://u@10.1.2.3:5432/x"])
    with pytest.raises(BlockedAddress, match="Sluice's own database"):
        await remote.resolve("10.1.2.3", 5432)
    assert await remote.resolve("10.1.2.4", 5432) == ["10.1.2.4"]  # another machine on that network


@pytest.mark.parametrize(("link", "inside"), [
    ("https://a.com/docs/page", True),
    ("https://a.com:443/docs/", True),
    ("https://A.com/docs/x", True),
    ("https://a.com.evil/docs/", False),
    ("https://a.com:8443/docs/", False),
    ("http://a.com/docs/", False),
    ("https://a.com@evil.test/docs/", False),
    ("https://a.com/other", False),
])
def test_crawl_scope_compares_scheme_host_and_port(link, inside):
    assert _within(link, "https://a.com/docs") is inside


async def test_url_component_markdown_and_raw_text(server, make_services):
    services = make_services("127.0.0.1")
    outputs = await inprocess.run(url_flow([server.url("/site/a")], format="Markdown"), services=services)
    assert "## Alpha\n\nAlpha **text**." in outputs["URLComponent-1"].content[0]["text"]
    export = url_flow([server.url("/site/a"), server.url("/site/c")])
    export["data"]["nodes"][0]["data"]["node"]["outputs"].reverse()  # raw_results first: the Message output
    outputs = await inprocess.run(export, services=services)
    assert outputs["URLComponent-1"].type == "message"
    # Each page's text (its title included, as Langflow extracts it), pages joined by a blank line.
    assert outputs["URLComponent-1"].content == "Page A\nAlpha\nAlpha text.\n\nPage C\nGamma text."


async def test_url_component_refuses_a_private_root(server, make_services):
    with pytest.raises(FlowFailed, match="loopback"):
        await fetched(make_services(), url_flow([server.url("/site/")]))


async def test_a_refused_request_fails_the_job_with_a_clear_error(service, client):
    flow = await service.flow(client, api_request("http://169.254.169.254/latest/meta-data/"))
    response = await client.post("/api/v2/workflows", json={"flow_id": flow["id"]})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "failed"
    error = body["errors"][0]
    assert error["code"] == "COMPONENT_FAILED"
    assert error["details"] == {"component_id": "APIRequest-1"}
    assert "169.254.169.254" in error["error"] and "link-local" in error["error"]
    assert "SLUICE_ALLOWED_HOSTS" in error["error"]
