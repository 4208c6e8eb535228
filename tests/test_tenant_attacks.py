"""A key holder attacks the operator through ordinary uploads and runs: the worker's environment, the
worker's model key, Sluice's own database. Each attack runs end to end through the API and real
worker processes, against a deployment that allows loopback (a local model server, say) and lists
Sluice's own settings among the environment variables flows may use, which must change nothing."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

import fake_openai as fake
import flowkit
import sse
from conftest import Cluster, Service, start_postgres, start_service
from httpserver import LocalServer, local_server
from test_variables import SECRET_KEY, store

# What the operator offers flows from the environment: one model key, and (by mistake) Sluice's own
# settings, which are never lent whatever this list says.
OFFERED = ("OPENAI_API_KEY,GATEWAY_TOKEN,DATABASE_URL,SLUICE_SECRET_KEY,SLUICE_LISTEN_DATABASE_URL,PGPASSWORD,"
           "SLUICE_TEST_TOKEN")
OPERATOR_ENV = {"SLUICE_SECRET_KEY": SECRET_KEY, "SLUICE_ALLOWED_HOSTS": "127.0.0.1,localhost,::1",
                "SLUICE_ENV_VARIABLES": OFFERED, "PGPASSWORD": "pg-password-of-the-worker",
                "GATEWAY_TOKEN": "gateway-token-lent-to-models", "SLUICE_TEST_TOKEN": "sluice-setting-never-lent",
                "SLUICE_TEST_UNLISTED": "never-lent-value"}


@pytest.fixture(scope="module")
async def service(cluster: Cluster, fake_openai: fake.FakeOpenAI) -> AsyncIterator[Service]:
    async with start_service(cluster, {**fake_openai.env(), **OPERATOR_ENV}) as running:
        yield running


@pytest.fixture(scope="module")
async def strict(cluster: Cluster, fake_openai: fake.FakeOpenAI) -> AsyncIterator[Service]:
    """The default network policy: nothing private is reachable."""
    async with start_service(cluster, {**fake_openai.env(), "SLUICE_SECRET_KEY": SECRET_KEY}, workers=1) as running:
        yield running


@pytest.fixture(scope="module")
def catcher() -> Iterator[LocalServer]:
    """An endpoint the operator never configured, recording what it is sent."""
    with local_server() as running:
        yield running


SECRET_NAMES = ("PGPASSWORD", "GATEWAY_TOKEN", "SLUICE_TEST_TOKEN", "SLUICE_TEST_UNLISTED")


def secrets_of(service: Service, fake_openai: fake.FakeOpenAI) -> list[str]:
    return [service.database_url, str(urlsplit(service.database_url).password), SECRET_KEY, fake.API_KEY,
            *(OPERATOR_ENV[name] for name in SECRET_NAMES)]


async def everything_shown(service: Service, client: Any, body: dict[str, Any]) -> str:
    """The response, the job as polled, its event log and the messages it stored, as one text."""
    job_id = body["job_id"]
    polled = await client.get("/api/v2/workflows", params={"job_id": job_id})
    events = await service.pool.fetch("select data::text from job_events where job_id = $1::uuid", job_id)
    messages = await service.pool.fetch("select text from messages where job_id = $1::uuid", job_id)
    return "\n".join([str(body), polled.text, *(row[0] for row in events), *(row[0] for row in messages)])


async def run(client: Any, flow_id: str, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "inputs": inputs or {}})
    assert response.status_code == 200, response.text
    return response.json()


def chat_flow(variable: str, **flags: Any) -> dict[str, Any]:
    """ChatInput, its text the global variable `variable`, -> ChatOutput."""
    text = flowkit.field(variable, load_from_db=True, **flags)
    return flowkit.export("Steal", [flowkit.node("ChatInput-1", "ChatInput", {"input_value": text}),
                                    flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""})],
                          [flowkit.edge("ChatInput-1", "message", "ChatOutput-1", "input_value")])


def model_flow(fields: dict[str, Any]) -> dict[str, Any]:
    """ChatInput -> OpenAIModel (with `fields`) -> ChatOutput."""
    model = flowkit.node("OpenAIModel-1", "OpenAIModel",
                         {"input_value": "", "system_message": "", "model_name": fake.MODEL, "api_key": "",
                          "openai_api_base": "", **fields}, outputs=("text_output", "model_output"))
    return flowkit.export("Model", [flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), model,
                                    flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""})],
                          [flowkit.edge("ChatInput-1", "message", "OpenAIModel-1", "input_value"),
                           flowkit.edge("OpenAIModel-1", "text_output", "ChatOutput-1", "input_value")])


def key_variable(name: str) -> dict[str, Any]:
    return flowkit.field(name, load_from_db=True, password=True)


def authorization_for(fake_openai: fake.FakeOpenAI, question: str) -> str | None:
    [record] = [r for r in fake_openai.requests if question in str(r["body"])]
    return record["authorization"]


# Attack 1: a field naming one of the worker's environment variables.

@pytest.mark.parametrize("variable", ["DATABASE_URL", "SLUICE_SECRET_KEY", "OPENAI_API_KEY", "GATEWAY_TOKEN",
                                      "PGPASSWORD", "SLUICE_TEST_UNLISTED", "SLUICE_LISTEN_DATABASE_URL",
                                      "database_url"])
@pytest.mark.parametrize("password", [False, True])
async def test_a_text_field_never_gets_the_worker_environment(service, client, fake_openai, variable, password):
    # `password: true` in the export changes nothing: whoever uploads the flow writes that flag.
    flow = await service.flow(client, chat_flow(variable, **({"password": True} if password else {})))
    body = await run(client, flow["id"])
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == ""
    shown = await everything_shown(service, client, body)
    for secret in secrets_of(service, fake_openai):
        assert secret not in shown


async def test_a_model_key_field_gets_only_what_the_operator_offers(service, client, fake_openai):
    asked = {variable: str(uuid.uuid4()) for variable in
             ("GATEWAY_TOKEN", "DATABASE_URL", "SLUICE_TEST_TOKEN", "PGPASSWORD", "SLUICE_TEST_UNLISTED")}
    for variable, question in asked.items():
        flow = await service.flow(client, model_flow({"api_key": key_variable(variable)}))
        body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
        assert body["status"] == "completed", body
        shown = await everything_shown(service, client, body)
        for secret in secrets_of(service, fake_openai):
            assert secret not in shown
    # Offered: the operator's endpoint gets it. Anything else: the model gets the operator's own
    # OPENAI_API_KEY, as with no key at all (it goes to the operator's endpoint only).
    assert authorization_for(fake_openai, asked.pop("GATEWAY_TOKEN")) == f"Bearer {OPERATOR_ENV['GATEWAY_TOKEN']}"
    for question in asked.values():
        assert authorization_for(fake_openai, question) == f"Bearer {fake.API_KEY}"
    sent = str(fake_openai.requests)
    for secret in (service.database_url, OPERATOR_ENV["SLUICE_TEST_TOKEN"], OPERATOR_ENV["PGPASSWORD"],
                   OPERATOR_ENV["SLUICE_TEST_UNLISTED"]):
        assert secret not in sent


async def test_a_lent_key_the_endpoint_echoes_is_masked(service, client, fake_openai):
    question = str(uuid.uuid4())
    lent = OPERATOR_ENV["GATEWAY_TOKEN"]
    fake_openai.script(question, fake.text(f"your key is {lent}, keep it safe"))
    flow = await service.flow(client, model_flow({"api_key": key_variable("GATEWAY_TOKEN")}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert authorization_for(fake_openai, question) == f"Bearer {lent}"
    assert body["outputs"]["ChatOutput-1"]["content"] == "your key is ***, keep it safe"
    assert lent not in await everything_shown(service, client, body)


# Attack 2: a flow-chosen model endpoint, hoping for the worker's key.

async def test_a_run_chosen_endpoint_never_gets_the_worker_key(service, client, catcher):
    question = str(uuid.uuid4())
    flow = await service.flow(client, model_flow({}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question,
                                          "OpenAIModel-1.openai_api_base": catcher.url("/v1")})
    assert body["status"] == "failed"  # the catcher answers 404, but it was reached: loopback is allowed here
    [(_, path, headers, _)] = [r for r in catcher.requests if question.encode() in r[3]]
    assert path == "/v1/chat/completions"
    assert "authorization" not in {name.lower() for name in headers}
    assert fake.API_KEY not in str(headers)


# A provider's own key variable, and any other value the environment lends (no provider's variable).
@pytest.mark.parametrize("variable", ["OPENAI_API_KEY", "GATEWAY_TOKEN"])
async def test_a_lent_key_never_goes_to_a_flow_chosen_endpoint(service, client, catcher, variable):
    question = str(uuid.uuid4())
    flow = await service.flow(client, model_flow({"api_key": key_variable(variable),
                                                  "openai_api_base": catcher.url("/v1")}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    assert "only to the endpoint the operator configured" in body["errors"][0]["error"]
    assert fake.API_KEY not in str(body)
    assert OPERATOR_ENV["GATEWAY_TOKEN"] not in str(body)
    assert not [r for r in catcher.requests if question.encode() in r[3]]


async def test_a_flow_chosen_endpoint_gets_the_flows_own_key(service, client, owner_key, catcher):
    await store(service, owner_key[0], "MY_MODEL_KEY", "sk-owners-own")
    for question, key in ((str(uuid.uuid4()), "sk-literal"), (str(uuid.uuid4()), key_variable("MY_MODEL_KEY"))):
        flow = await service.flow(client, model_flow({"api_key": key, "openai_api_base": catcher.url("/v1")}))
        await run(client, flow["id"], {"ChatInput-1.input_value": question})
        [(_, _, headers, _)] = [r for r in catcher.requests if question.encode() in r[3]]
        expected = "sk-literal" if key == "sk-literal" else "sk-owners-own"
        assert {name.lower(): value for name, value in headers.items()}["authorization"] == f"Bearer {expected}"


async def test_a_flow_chosen_endpoint_passes_the_network_policy(strict, catcher):
    _, key = await strict.key()
    async with strict.client(key) as client:
        flow = await strict.flow(client, model_flow({}))
        for base in (catcher.url("/v1"), "http://169.254.169.254/v1", "http://localhost:1/v1"):
            body = await run(client, flow["id"], {"ChatInput-1.input_value": "private",
                                                  "OpenAIModel-1.openai_api_base": base})
            assert body["status"] == "failed"
            assert "SLUICE_ALLOWED_HOSTS" in body["errors"][0]["error"]
            assert fake.API_KEY not in str(body)
    assert not [r for r in catcher.requests if b"private" in r[3]]


async def test_the_operator_endpoint_named_by_the_flow_still_gets_the_worker_key(service, client, fake_openai):
    question = str(uuid.uuid4())
    flow = await service.flow(client, model_flow({"openai_api_base": fake_openai.base_url + "/"}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == f"echo: {question}"
    assert authorization_for(fake_openai, question) == f"Bearer {fake.API_KEY}"


# Attack 3: Sluice's own database, through the SQL component and HTTP, under every spelling.

def sql_flow(url: str, query: str) -> dict[str, Any]:
    node = flowkit.node("SQLComponent-1", "SQLComponent", {"database_url": url, "query": flowkit.field(query, "code")},
                        outputs=("run_sql_query",))
    return flowkit.export("SQL", [node], [])


def own_database(service: Service, host: str) -> str:
    """Sluice's own database URL (password and all, as if the tenant had guessed it), at `host`."""
    parts = urlsplit(service.database_url)
    return f"postgresql://{parts.username}:{parts.password}@{host}:{parts.port}{parts.path}"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "127.0.0.2", "[::ffff:127.0.0.1]",
                                  "0.0.0.0", "[::1]", "2130706433", "0x7f.1", socket.gethostname()])
async def test_the_sql_component_never_reaches_sluices_own_database(service, client, host):
    flow = await service.flow(client, sql_flow(own_database(service, host), "select key_hash from api_keys"))
    body = await run(client, flow["id"])
    assert body["status"] == "failed", body
    error = body["errors"][0]["error"]
    assert "Sluice's own database" in error
    assert urlsplit(service.database_url).password not in error


async def test_http_components_never_reach_sluices_own_database(service, client, catcher):
    port = urlsplit(service.database_url).port
    direct = flowkit.export("API", [flowkit.node("APIRequest-1", "APIRequest",
                                                 {"url_input": f"http://localhost:{port}/", "method": "GET"},
                                                 outputs=("data",))], [])
    redirected = flowkit.export("API", [flowkit.node(
        "APIRequest-1", "APIRequest",
        {"url_input": catcher.url(f"/redirect?to=http://127.0.0.1:{port}/"), "method": "GET",
         "follow_redirects": flowkit.field(True, "bool")}, outputs=("data",))], [])
    for export in (direct, redirected):
        flow = await service.flow(client, export)
        body = await run(client, flow["id"])
        assert body["status"] == "failed", body
        assert "Sluice's own database" in body["errors"][0]["error"]


async def test_the_sql_component_still_reaches_an_allowed_database(service, client, cluster, tmp_path):
    other = await asyncio.to_thread(start_postgres, tmp_path / "other")
    try:
        flow = await service.flow(client, sql_flow(other.url(), "select 41 + 1 as answer"))
        body = await run(client, flow["id"])
        assert body["status"] == "completed", body
        assert body["outputs"]["SQLComponent-1"]["content"]["rows"] == [[42]]
    finally:
        other.stop()


# Also found in review.

async def test_an_event_type_cannot_break_the_streams_framing(service, client):
    forged = "token\nevent: end\ndata: {}"
    export = flowkit.export("Forge", [
        flowkit.node("ChatInput-in", "ChatInput", {"input_value": ""}),
        flowkit.node("Tokens-1", "SluiceTestTokens", {"input_value": "", "event_type": forged}, outputs=("text",)),
        flowkit.node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
    ], [flowkit.edge("ChatInput-in", "message", "Tokens-1", "input_value"),
        flowkit.edge("Tokens-1", "text", "ChatOutput-out", "input_value")])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-in.input_value": "two words"})
    assert body["status"] == "failed"
    assert "An event type is one word" in body["errors"][0]["error"]
    # sse.follow refuses a field repeated within one event, which a forged line break would make.
    streamed = await sse.follow(client, body["job_id"])
    assert {event.event for event in streamed} <= {"status", "component_start", "component_end", "end"}
    assert [event.event for event in streamed].count("end") == 1


# One owner cannot read another's stored variables or messages.

def memory_flow() -> dict[str, Any]:
    """ChatInput (stored in the run's session) -> ChatOutput, and a Message History reading that session."""
    return flowkit.export("Memory", [
        flowkit.node("ChatInput-1", "ChatInput", {"input_value": "", "session_id": ""}),
        flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""}),
        flowkit.node("Memory-1", "Memory", {"mode": "Retrieve", "session_id": "", "template": "{sender_name}: {text}",
                                            "n_messages": flowkit.field(100, "int")}, outputs=("messages_text",)),
    ], [flowkit.edge("ChatInput-1", "message", "ChatOutput-1", "input_value")])


async def test_another_owners_messages_and_variables_stay_invisible(service, client):
    session, secret = f"shared-{uuid.uuid4().hex[:8]}", f"alice-{uuid.uuid4().hex}"
    alice, alice_key = await service.key()
    await store(service, alice, "ALICE_TOKEN", secret)
    async with service.client(alice_key) as alice_client:
        flow = await service.flow(alice_client, memory_flow())
        said = await run(alice_client, flow["id"], {"ChatInput-1.input_value": secret,
                                                    "ChatInput-1.session_id": session})
        assert said["status"] == "completed"
        again = await run(alice_client, flow["id"], {"ChatInput-1.input_value": "hi",
                                                     "ChatInput-1.session_id": session, "Memory-1.session_id": session})
        assert secret in str(again["outputs"])  # alice sees her own history
    flow = await service.flow(client, memory_flow())
    body = await run(client, flow["id"], {"ChatInput-1.input_value": "me too", "ChatInput-1.session_id": session,
                                          "Memory-1.session_id": session})
    assert body["status"] == "completed"
    variable = await service.flow(client, chat_flow("ALICE_TOKEN"))
    stolen = await run(client, variable["id"])
    assert secret not in str(body) and secret not in str(stolen)
    assert stolen["outputs"]["ChatOutput-1"]["content"] == ""


async def test_a_model_handed_on_shows_no_lent_key(service, client):
    export = model_flow({"api_key": key_variable("GATEWAY_TOKEN")})
    export["data"]["edges"] = [flowkit.edge("ChatInput-1", "message", "OpenAIModel-1", "input_value"),
                               flowkit.edge("OpenAIModel-1", "model_output", "ChatOutput-1", "input_value")]
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": "hand it on"})
    assert OPERATOR_ENV["GATEWAY_TOKEN"] not in await everything_shown(service, client, body)


async def test_a_header_variable_belongs_to_its_one_run(service, client):
    secret = f"header-{uuid.uuid4().hex}"
    _, other_key = await service.key()
    async with service.client(other_key) as other:
        theirs = await service.flow(other, chat_flow("SESSION_TOKEN"))
        queued = await other.post("/api/v2/workflows", json={"flow_id": theirs["id"], "background": True},
                                  headers={"X-LANGFLOW-GLOBAL-VAR-SESSION_TOKEN": secret})
        assert queued.status_code == 200
        mine = await service.flow(client, chat_flow("SESSION_TOKEN"))
        body = await run(client, mine["id"])
        assert body["outputs"]["ChatOutput-1"]["content"] == ""
        assert secret not in await everything_shown(service, client, body)
