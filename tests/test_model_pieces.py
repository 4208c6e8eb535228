"""Pieces behind the model components: model choice, JSON answers, the calculator, tool names."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import fake_openai as fake
from sluice import config
from sluice.config import Settings
from sluice.engine import llm, structured, tools
from sluice.engine.component import Component, ComponentError
from sluice.engine.components.calculator import InvalidExpression, evaluate, formatted
from sluice.engine.graph import Node
from sluice.engine.models import providers, retry, wire
from sluice.engine.services import Services

ENV = Settings.from_env({"SLUICE_DEFAULT_MODEL": "default-model", "OPENAI_BASE_URL": "http://models.test/v1/",
                         "OPENAI_API_KEY": "env-key"}, need_database=False)
BARE = Settings(database_url="")


def test_empty_model_uses_the_default_model_endpoint_and_key_from_the_environment():
    model = llm.model_from_params({"model": "", "api_key": "", "max_tokens": 0, "temperature": 0.1}, ENV)
    assert (model.name, model.base_url, model.api_key) == ("default-model", "http://models.test/v1", "env-key")
    assert model.settings == {"temperature": 0.1}


def test_model_list_form_plain_name_and_model_name_override():
    assert llm.model_from_params({"model": [{"name": "gpt-4o", "provider": "OpenAI"}]}, ENV).name == "gpt-4o"
    assert llm.model_from_params({"model": "llama3"}, ENV).name == "llama3"
    assert llm.model_from_params({"model": "llama3", "model_name": "mistral"}, ENV).name == "mistral"


def test_node_fields_win_over_the_environment():
    model = llm.model_from_params({"model_name": "m", "openai_api_base": "http://other.test/v1", "api_key": "k",
                                   "timeout": 7, "seed": 3, "json_mode": True}, ENV)
    assert (model.base_url, model.api_key, model.timeout) == ("http://other.test/v1", "k", 7.0)
    assert model.settings == {"seed": 3, "response_format": {"type": "json_object"}}


def test_without_any_model_the_error_names_the_setting():
    with pytest.raises(ComponentError, match="SLUICE_DEFAULT_MODEL"):
        llm.model_from_params({"model": ""}, BARE)


def test_the_api_key_never_shows_in_summaries_or_repr():
    model = llm.model_from_params({"model": "m", "api_key": "sk-secret"}, BARE)
    assert "sk-secret" not in repr(model)
    assert model.summary() == {"model": "m", "provider": "OpenAI", "base_url": llm.DEFAULT_BASE_URL}


@pytest.mark.parametrize(("answer", "objects"), [
    ('{"objects": [{"a": 1}, {"a": 2}]}', [{"a": 1}, {"a": 2}]),
    ('{"a": 1}', [{"a": 1}]),
    ('```json\n[{"a": 1}]\n```', [{"a": 1}]),
    ('Sure! Here it is: {"a": "x"} Hope it helps.', [{"a": "x"}]),
])
def test_json_answers_are_read_in_their_usual_shapes(answer, objects):
    assert structured.parse_objects(answer) == objects


@pytest.mark.parametrize("answer", ["no JSON here", "[1, 2]", '{"objects": []}', "{broken"])
def test_answers_that_are_not_objects_are_refused(answer):
    with pytest.raises(ComponentError, match="not JSON matching the output schema"):
        structured.parse_objects(answer)


def test_schema_rows_become_langflows_output_model_with_lists_and_types():
    schema = structured.output_model([{"name": "tags", "type": "str", "multiple": "True", "description": "Tags"},
                                      {"name": "top_score", "type": "float", "multiple": False}])
    assert schema["properties"]["objects"]["items"] == {"$ref": "#/$defs/OutputModel"}
    record = schema["$defs"]["OutputModel"]
    # pydantic's titles and key order, as Langflow's model writes them.
    assert record["properties"] == {
        "tags": {"description": "Tags", "items": {"type": "string"}, "title": "Tags", "type": "array"},
        "top_score": {"description": "", "title": "Top Score", "type": "number"}}
    assert record["required"] == ["tags", "top_score"]
    with pytest.raises(ComponentError, match="Invalid type: date"):
        structured.output_model([{"name": "when", "type": "date"}])


@pytest.mark.parametrize(("expression", "value"), [("4*4*(33/22)+12-20", "16"), ("-2**2", "-4"), ("7 % 4", "3"),
                                                   ("1/3", "0.333333"), ("2.5*2", "5")])
def test_calculator_evaluates_arithmetic(expression, value):
    assert formatted(evaluate(expression)) == value


@pytest.mark.parametrize("expression", ["__import__('os')", "a + 1", "(1).real", "[1, 2]", "True + 1", "'a' * 3",
                                        "1 +", "9" * 1001])
def test_calculator_refuses_anything_but_arithmetic(expression):
    with pytest.raises(InvalidExpression):
        evaluate(expression)


def test_calculator_overflow_is_an_error_not_a_hang():
    with pytest.raises(OverflowError):
        evaluate("9.0 ** 9 ** 9")


def test_tool_names_fit_the_tools_api_and_stay_unique():
    assert tools.tool_name("Fetch content (v2)!") == "Fetch_content_v2"
    assert tools.tool_name("") == "tool"
    assert len(tools.tool_name("x" * 100)) == 64
    node = Node(id="n", type="T", display_name="T", fields={})
    offered = [tools.Tool(name=name, description="", parameters={}, node=node, component=Component())
               for name in ("search", "search", "fetch", "search")]
    assert [tool.name for tool in tools.unique(offered)] == ["search", "search_2", "fetch", "search_3"]


async def test_a_model_that_does_not_answer_in_time_fails_clearly(fake_openai):
    fake_openai.script("too slow", fake.text("late", delay=1))
    model = llm.ChatModel(name="m", base_url=fake_openai.base_url, api_key="", timeout=0.2)
    async with httpx.AsyncClient() as client:
        with pytest.raises(ComponentError, match=r"did not answer within 0\.2 s"):
            await llm.chat(client, model, llm.conversation("", "too slow"))


async def test_streamed_answers_reuse_one_connection(fake_openai):
    """A streamed answer is read to the end of its body, past `[DONE]`, so the next call goes over the
    same connection instead of a new one (a TCP and TLS handshake each)."""
    fake_openai.script("stream thrice", fake.text("one two three"))
    model = llm.ChatModel(name="m", base_url=fake_openai.base_url, api_key="")
    tokens: list[str] = []
    async with httpx.AsyncClient() as client:
        opened = fake_openai.connections
        replies = [await llm.chat(client, model, llm.conversation("", "stream thrice"), on_token=tokens.append)
                   for _ in range(3)]
        assert fake_openai.connections - opened == 1
    assert [reply.content for reply in replies] == ["one two three"] * 3
    assert "".join(tokens) == "one two three" * 3


async def test_runs_at_once_keep_their_connections_between_calls(fake_openai):
    """A worker's clients keep as many connections open as it runs jobs at once: two rounds of 30
    streamed calls at once open 30 connections, not 40 (httpx keeps 20 and opens the rest anew)."""
    fake_openai.script("thirty at once", fake.text("a b c d", chunk_delay=0.05))
    model = llm.ChatModel(name="m", base_url=fake_openai.base_url, api_key="")
    services = Services(Settings(database_url=""), runs_at_once=30)
    opened = fake_openai.connections
    try:
        for _ in range(2):
            replies = await asyncio.gather(*(llm.chat(services.http, model, llm.conversation("", "thirty at once"),
                                                      on_token=lambda _token: None) for _ in range(30)))
            assert [reply.content for reply in replies] == ["a b c d"] * 30
    finally:
        await services.aclose()
    assert fake_openai.connections - opened == 30


@pytest.mark.integration  # a real connection attempt
async def test_an_unreachable_endpoint_fails_clearly():
    model = llm.ChatModel(name="m", base_url="http://127.0.0.1:9/v1", api_key="", timeout=2, retries=0)
    async with httpx.AsyncClient() as client:
        with pytest.raises(ComponentError, match=r"could not reach the model endpoint http://127\.0\.0\.1:9/v1"):
            await llm.chat(client, model, llm.conversation("", "hello"))


async def test_a_retry_after_past_the_jobs_deadline_fails_at_once_with_the_providers_message(fake_openai):
    fake_openai.script("wait half a minute", fake.error(429, "try again in 30 s", retry_after=30), fake.text("late"))
    model = llm.ChatModel(name="m", base_url=fake_openai.base_url, api_key="")
    token = retry.DEADLINE.set(asyncio.get_running_loop().time() + 5)
    try:
        async with httpx.AsyncClient() as client:
            with pytest.raises(ComponentError, match="answered 429: try again in 30 s"):
                await llm.chat(client, model, llm.conversation("", "wait half a minute"))
    finally:
        retry.DEADLINE.reset(token)
    assert len(fake_openai.records("wait half a minute")) == 1


async def test_retries_stop_after_the_configured_number(fake_openai):
    fake_openai.script("always busy", fake.error(503, "busy", retry_after=0))
    model = llm.ChatModel(name="m", base_url=fake_openai.base_url, api_key="", retries=2)
    async with httpx.AsyncClient() as client:
        with pytest.raises(ComponentError, match="answered 503: busy"):
            await llm.chat(client, model, llm.conversation("", "always busy"))
    assert len(fake_openai.records("always busy")) == 3


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"retry-after": "3"}, 3.0), ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
    ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0), ({"retry-after": "soon"}, None), ({}, None),
])
def test_retry_after_is_read_in_seconds_milliseconds_or_as_a_date(headers, seconds):
    assert wire.retry_after(httpx.Headers(headers)) == seconds


def test_backoff_grows_and_is_jittered_below_its_cap():
    for attempt, cap in ((0, 0.5), (1, 1.0), (3, 4.0), (10, retry.LONGEST_WAIT)):
        waits = {retry.backoff(attempt) for _ in range(50)}
        assert all(0 <= wait <= cap for wait in waits) and len(waits) > 1


@pytest.mark.parametrize(("node_type", "params", "provider", "url"), [
    ("LanguageModelComponent", {"model": [{"name": "claude", "provider": "Anthropic"}]}, "Anthropic",
     "https://api.anthropic.com"),
    ("LanguageModelComponent", {"provider": "Groq", "model_name": "llama"}, "Groq", "https://api.groq.com/openai/v1"),
    ("Agent", {"agent_llm": "Google Generative AI", "model_name": "gemini"}, "Google Generative AI",
     "https://generativelanguage.googleapis.com"),
    ("xAIModel", {"model_name": "grok"}, "xAI", "https://api.x.ai/v1"),
])
def test_the_node_chooses_the_provider_and_its_default_endpoint(node_type, params, provider, url):
    model = llm.model_from_params(params, BARE, node_type=node_type)
    assert (model.provider, model.base_url, model.operator_endpoint) == (provider, url, True)


def test_an_unknown_provider_is_refused_by_name():
    with pytest.raises(ComponentError, match="'Acme AI' is not one Sluice knows"):
        llm.model_from_params({"model": [{"name": "m", "provider": "Acme AI"}]}, BARE)


def test_the_settings_read_exactly_the_variables_the_providers_are_configured_by():
    assert set(config.PROVIDER_VARIABLES) == providers.variables()


def test_a_local_default_endpoint_is_the_operators_only_when_configured():
    params = {"model_name": "llama3", "base_url": "http://localhost:11434"}
    unconfigured = llm.model_from_params(params, BARE, node_type="OllamaModel")
    assert (unconfigured.base_url, unconfigured.operator_endpoint) == ("http://localhost:11434", False)
    settings = Settings.from_env({"OLLAMA_BASE_URL": "http://ollama.internal:11434", "OLLAMA_API_KEY": "k"},
                                 need_database=False)
    configured = llm.model_from_params(params, settings, node_type="OllamaModel")
    assert (configured.base_url, configured.api_key, configured.operator_endpoint) == (
        "http://ollama.internal:11434", "k", True)
