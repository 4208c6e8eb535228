"""Every model provider, spoken in its own protocol, through the real service and worker processes.

Each provider's fake server (tests/fake_openai.py, tests/fake_providers.py) stands in for the
provider; the worker reaches it through the provider's operator variables (`GROQ_BASE_URL`...).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import fake_openai as fake
import fake_providers
import flowkit
from conftest import start_service
from httpserver import LocalServer, local_server

GROQ_KEY = "gsk-operator-groq-key"
AZURE_KEY = "azure-operator-key"


@pytest.fixture(scope="module")
def fakes(fake_openai) -> Iterator[dict[str, fake.FakeOpenAI]]:
    """Each protocol's fake provider, by protocol."""
    started = {"anthropic": fake_providers.FakeAnthropic(), "gemini": fake_providers.FakeGemini(),
               "ollama": fake_providers.FakeOllama(), "cohere": fake_providers.FakeCohere()}
    yield {"openai": fake_openai, **started}
    for server in started.values():
        server.close()


@pytest.fixture(scope="module")
async def service(cluster, fakes):
    root = fakes["openai"].base_url.removesuffix("/v1")
    env = {"GROQ_BASE_URL": fakes["openai"].base_url, "GROQ_API_KEY": GROQ_KEY,
           "AZURE_OPENAI_ENDPOINT": root, "AZURE_OPENAI_API_KEY": AZURE_KEY,
           "MISTRAL_BASE_URL": fakes["openai"].base_url, "MISTRAL_API_KEY": "mistral-key"}
    for server in fakes.values():
        env.update(server.env())
    async with start_service(cluster, env, workers=1) as started:
        yield started


def key_variable(name: str) -> dict[str, Any]:
    return flowkit.field(name, load_from_db=True, password=True)


@attrs.frozen
class Case:
    """One provider as a Langflow export configures it, and the fake that stands in for it."""

    name: str
    node_type: str
    fields: dict[str, Any]
    protocol: str
    # The header that carries the operator's key, and its expected value.
    key_header: str
    key: str | None


CASES = [
    Case("OpenAI", "LanguageModelComponent", {"model": flowkit.field([{"name": fake.MODEL, "provider": "OpenAI"}],
                                                                     "model")},
         "openai", "authorization", f"Bearer {fake.API_KEY}"),
    Case("Groq", "GroqModel", {"model_name": "llama-3.1-8b-instant", "base_url": "https://api.groq.com",
                               "api_key": key_variable("GROQ_API_KEY")},
         "openai", "authorization", f"Bearer {GROQ_KEY}"),
    Case("Anthropic", "AnthropicModel", {"model_name": "claude-3-5-haiku-latest",
                                         "base_url": "https://api.anthropic.com",
                                         "api_key": key_variable("ANTHROPIC_API_KEY"), "max_tokens": 1024},
         "anthropic", "x-api-key", fake_providers.ANTHROPIC_KEY),
    Case("Google", "GoogleGenerativeAIModel", {"model_name": "gemini-2.0-flash", "max_output_tokens": 512,
                                               "api_key": key_variable("GOOGLE_API_KEY"), "temperature": 0.1},
         "gemini", "x-goog-api-key", fake_providers.GOOGLE_KEY),
    Case("Ollama", "OllamaModel", {"model_name": "llama3.2", "base_url": "http://localhost:11434",
                                   "num_ctx": flowkit.field(4096, "int")},
         "ollama", "authorization", None),
    Case("Azure OpenAI", "AzureOpenAIModel", {"azure_deployment": "gpt-4o-deployment", "api_version": "2024-06-01",
                                              "api_key": key_variable("AZURE_OPENAI_API_KEY")},
         "openai", "api-key", AZURE_KEY),
]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def run(client, flow_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "inputs": inputs})
    assert response.status_code == 200, response.text
    return response.json()


def model_flow(model_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """ChatInput -> <model> -> ChatOutput, with the model's fields as given."""
    model = flowkit.node("Model-1", model_type, {"input_value": "", "system_message": "", **fields},
                         outputs=("text_output", "model_output"))
    return flowkit.export(model_type, [flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), model,
                                       flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""})],
                          [flowkit.edge("ChatInput-1", "message", "Model-1", "input_value"),
                           flowkit.edge("Model-1", "text_output", "ChatOutput-1", "input_value")])


def case_flow(case: Case, **fields: Any) -> dict[str, Any]:
    return model_flow(case.node_type, {**case.fields, **fields})


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_the_same_flow_gives_the_same_text_through_every_provider(service, client, fakes, case):
    question = unique(f"Hello from {case.name}")
    flow = await service.flow(client, case_flow(case, system_message="Be brief."))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == f"echo: {question}"
    [record] = fakes[case.protocol].records(question)
    assert record["headers"].get(case.key_header) == case.key
    assert "Be brief." in str(record["body"])
    if case.protocol == "anthropic":  # the system prompt beside the turns, as the Messages API wants it
        assert record["body"]["system"] == "Be brief."
        assert record["body"]["messages"] == [{"role": "user", "content": [{"type": "text", "text": question}]}]
    if case.protocol == "gemini":
        assert record["path"] == "/v1beta/models/gemini-2.0-flash:generateContent"
        assert record["body"]["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
        assert record["body"]["generationConfig"] == {"maxOutputTokens": 512, "temperature": 0.1}
    if case.protocol == "ollama":
        assert (record["path"], record["body"]["stream"]) == ("/api/chat", False)
        assert record["body"]["options"] == {"num_ctx": 4096}
    if case.node_type == "AzureOpenAIModel":
        assert record["path"] == "/openai/deployments/gpt-4o-deployment/chat/completions"
        assert record["query"] == "api-version=2024-06-01"
        assert "authorization" not in record["headers"]
    usage = body["outputs"]["ChatOutput-1"]["metadata"]["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] == len(f"echo: {question}".split())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_streamed_tokens_add_up_to_the_answer_through_every_provider(service, client, fakes, case):
    question = unique(f"Stream from {case.name}")
    answer = "one two three four five"
    fakes[case.protocol].script(question, fake.text(answer))
    flow = await service.flow(client, case_flow(case, stream=flowkit.field(True, "bool")))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == answer
    rows = await service.pool.fetch(
        "select data from job_events where job_id = $1 and type = 'token' order by seq", uuid.UUID(body["job_id"]))
    chunks = [row["data"]["chunk"] for row in rows]
    assert len(chunks) == 5 and "".join(chunks) == answer
    assert body["outputs"]["ChatOutput-1"]["metadata"]["usage"]["output_tokens"] == 5


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("stream", [False, True])
async def test_an_agent_calls_the_calculator_through_every_provider(service, client, fakes, case, stream):
    question = unique(f"What is 6 * 7, {case.name}?")
    fakes[case.protocol].script(question, fake.tool_call("evaluate_expression", {"expression": "6 * 7"}, "call_c1"),
                                fake.text("It is 42."))
    agent_fields = {"input_value": "", "system_prompt": "You are helpful.",
                    "add_calculator_tool": flowkit.field(True, "bool"), "stream": flowkit.field(stream, "bool"),
                    "max_iterations": flowkit.field(5, "int")}
    model = flowkit.node("Model-1", case.node_type, {"input_value": "", **case.fields},
                         outputs=("text_output", "model_output"))
    agent = flowkit.node("Agent-1", "Agent", {**agent_fields, "model": flowkit.field("", "other")},
                         outputs=("response", "structured_response"))
    export = flowkit.export("Agent", [flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), model, agent,
                                      flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""})],
                            [flowkit.edge("ChatInput-1", "message", "Agent-1", "input_value"),
                             flowkit.edge("Model-1", "model_output", "Agent-1", "model"),
                             flowkit.edge("Agent-1", "response", "ChatOutput-1", "input_value")])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == "It is 42."
    first, second = fakes[case.protocol].received(question, path=None)
    assert "evaluate_expression" in str(first)
    # The tool's result went back to the model (in Langflow's JSON layout), in the provider's own shape.
    assert json.dumps(json.dumps({"result": "42"}))[1:-1] in json.dumps(second)
    if case.protocol in ("openai", "anthropic"):  # the others match results to calls by name and order
        assert "call_c1" in json.dumps(second)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_a_429_then_200_succeeds_after_the_advertised_wait_through_every_provider(service, client, fakes,
                                                                                        case):
    question = unique(f"rate limited by {case.name}")
    fakes[case.protocol].script(question, fake.error(429, "slow down", retry_after=1), fake.text("made it"))
    flow = await service.flow(client, case_flow(case))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == "made it", body
    first, second = fakes[case.protocol].records(question)
    assert second["at"] - first["at"] >= 1.0


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_a_400_fails_at_once_with_the_providers_message_through_every_provider(service, client, fakes, case):
    question = unique(f"refused by {case.name}")
    fakes[case.protocol].script(question, fake.error(400, f"{case.name} says the request is invalid"))
    flow = await service.flow(client, case_flow(case))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    assert f"answered 400: {case.name} says the request is invalid" in body["errors"][0]["error"]
    assert len(fakes[case.protocol].records(question)) == 1


async def test_an_openai_compatible_provider_node_goes_to_its_endpoint_with_its_key(service, client, fake_openai):
    question = unique("Groq, hello")
    # As Langflow exports it: the provider's public base URL, and the key's variable name.
    flow = await service.flow(client, model_flow("GroqModel", {
        "model_name": "llama-3.1-8b-instant", "base_url": "https://api.groq.com",
        "api_key": flowkit.field("GROQ_API_KEY", load_from_db=True, password=True)}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == f"echo: {question}"
    [record] = fake_openai.records(question)
    assert record["path"] == "/v1/chat/completions"
    assert record["authorization"] == f"Bearer {GROQ_KEY}"
    assert record["body"]["model"] == "llama-3.1-8b-instant"


async def test_the_unified_model_input_chooses_the_provider(service, client, fake_openai):
    question = unique("Mistral via the unified input")
    flow = await service.flow(client, model_flow("LanguageModelComponent", {
        "model": flowkit.field([{"name": "mistral-small-latest", "provider": "Mistral"}], "model")}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    [record] = fake_openai.records(question)
    assert record["authorization"] == "Bearer mistral-key"
    assert record["body"]["model"] == "mistral-small-latest"


async def test_usage_lands_in_the_output_metadata(service, client, fake_openai):
    question = unique("count my tokens")
    flow = await service.flow(client, model_flow("LanguageModelComponent", {}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    [sent] = fake_openai.received(question)
    expected_in, expected_out = fake.usage(sent, f"echo: {question}")
    assert body["outputs"]["ChatOutput-1"]["metadata"]["usage"] == {
        "input_tokens": expected_in, "output_tokens": expected_out, "total_tokens": expected_in + expected_out}


async def test_a_429_is_tried_again_after_the_advertised_wait(service, client, fake_openai):
    question = unique("rate limited")
    fake_openai.script(question, fake.error(429, "slow down", retry_after=1), fake.text("made it"))
    flow = await service.flow(client, model_flow("LanguageModelComponent", {}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == "made it"
    first, second = fake_openai.records(question)
    assert second["at"] - first["at"] >= 1.0


async def test_a_503_and_a_dropped_stream_answer_are_tried_again(service, client, fake_openai):
    question = unique("overloaded")
    fake_openai.script(question, fake.error(503, "overloaded"), fake.error(502, "bad gateway"), fake.text("fine now"))
    flow = await service.flow(client, model_flow("LanguageModelComponent", {"stream": flowkit.field(True, "bool")}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == "fine now"
    assert len(fake_openai.records(question)) == 3


@pytest.mark.parametrize(("answer", "complaint"), [
    (fake.error(400, "max_tokens is too large for this model"), "answered 400: max_tokens is too large for this model"),
    (fake.error(401, "invalid api key"), "answered 401: invalid api key"),
    (fake.malformed(), "did not answer with a JSON object"),
])
async def test_a_client_error_or_a_malformed_answer_fails_at_once(service, client, fake_openai, answer, complaint):
    question = unique("refused")
    fake_openai.script(question, answer, fake.text("never reached"))
    flow = await service.flow(client, model_flow("LanguageModelComponent", {}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    [problem] = body["errors"]
    assert complaint in problem["error"]
    assert len(fake_openai.records(question)) == 1


@pytest.mark.parametrize(("node_type", "fields", "named"), [
    ("AmazonBedrockModel", {"model_id": "anthropic.claude-3"}, "Amazon Bedrock"),
    ("IBMwatsonxModel", {"model_name": "ibm/granite"}, "IBM watsonx.ai"),
    ("LanguageModelComponent", {"model": flowkit.field([{"name": "granite", "provider": "IBM watsonx.ai"}], "model")},
     "IBM watsonx.ai"),
    ("Agent", {"agent_llm": "Amazon Bedrock"}, "Amazon Bedrock"),
])
async def test_a_provider_sluice_does_not_speak_is_refused_at_upload_by_name(service, client, node_type, fields,
                                                                              named):
    response = await client.post("/api/v1/flows/", json=model_flow(node_type, fields))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert f"the model provider {named} is not supported" in problem["detail"]
    assert "Model-1" in problem["detail"]


URL_FIELDS = {"OpenAI": "openai_api_base", "Groq": "base_url", "Anthropic": "base_url", "Ollama": "base_url",
              "Azure OpenAI": "azure_endpoint"}  # Langflow's Google node has no endpoint field


@pytest.fixture(scope="module")
def catcher() -> Iterator[LocalServer]:
    """An endpoint the operator never configured, recording what it is sent."""
    with local_server() as running:
        yield running


@pytest.mark.parametrize("case", [case for case in CASES if case.name in URL_FIELDS], ids=lambda case: case.name)
@pytest.mark.parametrize("with_key", [False, True])
async def test_a_flow_chosen_endpoint_never_gets_the_operators_key(service, client, fakes, catcher, case, with_key):
    question = unique(f"steal the {case.name} key")
    fields = {**case.fields, URL_FIELDS[case.name]: catcher.url("/steal")}
    if not with_key:
        fields.pop("api_key", None)
    flow = await service.flow(client, model_flow(case.node_type, fields))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    error = body["errors"][0]["error"]
    # Refused either for the key (it is the operator's) or by the network policy (loopback is private here).
    assert "only to the endpoint the operator configured" in error or "SLUICE_ALLOWED_HOSTS" in error
    assert not [r for r in catcher.requests if question.encode() in r[3]]
    assert fakes[case.protocol].records(question) == []
    for secret in (fake.API_KEY, GROQ_KEY, AZURE_KEY, fake_providers.ANTHROPIC_KEY):
        assert secret not in str(body)


EMBEDDINGS = [
    # (node type, fields, protocol of the fake, request path)
    ("OpenAIEmbeddings", {"model": "text-embedding-3-small", "openai_api_key": key_variable("OPENAI_API_KEY"),
                          "dimensions": flowkit.field(3, "int")}, "openai", "/v1/embeddings"),
    ("EmbeddingModel", {"model": flowkit.field([{"name": "text-embedding-3-small", "provider": "OpenAI"}], "model")},
     "openai", "/v1/embeddings"),
    ("AzureOpenAIEmbeddings", {"model": "text-embedding-3-small", "azure_deployment": "embed-deployment",
                               "api_version": "2024-06-01", "api_key": key_variable("AZURE_OPENAI_API_KEY")},
     "openai", "/openai/deployments/embed-deployment/embeddings"),
    ("Google Generative AI Embeddings", {"model_name": "models/text-embedding-004",
                                         "api_key": key_variable("GOOGLE_API_KEY")},
     "gemini", "/v1beta/models/text-embedding-004:batchEmbedContents"),
    ("OllamaEmbeddings", {"model_name": "nomic-embed-text", "base_url": "http://localhost:11434"},
     "ollama", "/api/embed"),
    ("MistalAIEmbeddings", {"model": "mistral-embed", "endpoint": "https://api.mistral.ai/v1/"},
     "openai", "/v1/embeddings"),
    ("CohereEmbeddings", {"model_name": "embed-english-v3.0", "api_key": key_variable("COHERE_API_KEY")},
     "cohere", "/v2/embed"),
]


@pytest.mark.parametrize(("node_type", "fields", "protocol", "path"), EMBEDDINGS, ids=[e[0] for e in EMBEDDINGS])
async def test_text_embedder_gets_vectors_from_every_embeddings_provider(service, client, fakes, node_type, fields,
                                                                          protocol, path):
    text = unique(f"embed me with {node_type}")
    export = flowkit.export("Embed", [
        flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}),
        flowkit.node("Embed-1", node_type, fields, outputs=("embeddings",)),
        flowkit.node("TextEmbedder-1", "TextEmbedderComponent", {"message": "", "embedding_model": ""},
                     outputs=("embeddings",)),
    ], [flowkit.edge("ChatInput-1", "message", "TextEmbedder-1", "message"),
        flowkit.edge("Embed-1", "embeddings", "TextEmbedder-1", "embedding_model")])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": text})
    assert body["status"] == "completed", body
    assert body["outputs"]["TextEmbedder-1"]["content"] == {"text": text, "embeddings": fake.vector(text)}
    [record] = fakes[protocol].records(text)
    assert record["path"] == path
    if node_type == "OpenAIEmbeddings":
        assert record["body"]["dimensions"] == 3
        assert record["authorization"] == f"Bearer {fake.API_KEY}"


async def test_tokens_used_are_counted_per_provider_and_model_in_the_metrics(service, client, fakes):
    model_name = unique("metered-model").replace(" ", "-")
    question = unique("meter me")
    flow = await service.flow(client, model_flow("AnthropicModel", {"model_name": model_name,
                                                                    "api_key": key_variable("ANTHROPIC_API_KEY")}))
    for _ in range(2):
        body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
        assert body["status"] == "completed", body
    sent = fakes["anthropic"].received(question, path=None)
    expected_in = sum(fake.usage(request, "")[0] for request in sent)
    expected_out = 2 * len(f"echo: {question}".split())
    labels = f'model="{model_name}",provider="Anthropic"'
    wanted = [f"sluice_model_calls_total{{{labels}}} 2.0",
              f'sluice_model_tokens_total{{direction="input",{labels}}} {float(expected_in)}',
              f'sluice_model_tokens_total{{direction="output",{labels}}} {float(expected_out)}']
    # Workers write their tallies every few seconds: wait for the scrape to show them.
    for _ in range(150):
        text = (await client.get("/metrics")).text
        if all(line in text for line in wanted):
            break
        await asyncio.sleep(0.2)
    assert [line for line in wanted if line not in text] == []


def forced_tool_of(case: Case, request: dict[str, Any]) -> Any:
    """The tool the request makes the model call, in the provider's own terms (Ollama cannot force one)."""
    if case.protocol == "openai":
        return request["tool_choice"]["function"]["name"]
    if case.protocol == "anthropic":
        return request["tool_choice"]["name"]
    if case.protocol == "gemini":
        return request["toolConfig"]["functionCallingConfig"]["allowedFunctionNames"]
    return [tool["function"]["name"] for tool in request["tools"]]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_structured_output_through_every_provider(service, client, fakes, case):
    question = unique(f"A city, from {case.name}")
    answer = {"objects": [{"city": "Oslo", "population": 7}]}
    fakes[case.protocol].script(question, fake.tool_call("OutputModel", answer, "call_s1"))
    schema = [{"name": "city", "type": "str", "description": "", "multiple": "False"},
              {"name": "population", "type": "int", "description": "", "multiple": "False"}]
    model = flowkit.node("Model-1", case.node_type, {"input_value": "", **case.fields},
                         outputs=("text_output", "model_output"))
    structured = flowkit.node("Structured-1", "StructuredOutput", {
        "input_value": "", "system_prompt": "Extract.", "output_schema": flowkit.field(schema, "table"),
        "schema_name": "", "model": flowkit.field("", "other")}, outputs=("structured_output", "dataframe_output"))
    export = flowkit.export("Structured", [flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), model,
                                           structured],
                            [flowkit.edge("ChatInput-1", "message", "Structured-1", "input_value"),
                             flowkit.edge("Model-1", "model_output", "Structured-1", "model")])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["Structured-1"]["content"] == {"city": "Oslo", "population": 7}
    [request] = fakes[case.protocol].received(question, path=None)
    # As Langflow does: the schema travels as a tool whose call the request forces.
    assert forced_tool_of(case, request) == {"openai": "OutputModel", "anthropic": "OutputModel",
                                             "gemini": ["OutputModel"], "ollama": ["OutputModel"]}[case.protocol]


PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"


def image_of(case: Case, request: dict[str, Any]) -> Any:
    """The image the request carries, in the provider's own shape."""
    data = PIXEL.partition(",")[2]
    if case.protocol == "openai":
        return request["messages"][-1]["content"][1] == {"type": "image_url", "image_url": {"url": PIXEL}}
    if case.protocol == "anthropic":
        return request["messages"][-1]["content"][1] == {
            "type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
    if case.protocol == "gemini":
        return request["contents"][-1]["parts"][1] == {"inlineData": {"mimeType": "image/png", "data": data}}
    return request["messages"][-1]["images"] == [data]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_an_image_from_chat_input_reaches_every_provider(service, client, fakes, case):
    question = unique(f"What is in this picture, {case.name}?")
    export = case_flow(case)
    export["data"]["nodes"][0] = flowkit.node("ChatInput-1", "ChatInput", {
        "input_value": "", "files": flowkit.field([], "file", list=True)})
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question, "ChatInput-1.files": [PIXEL]})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == f"echo: {question}"
    [request] = fakes[case.protocol].received(question, path=None)
    assert image_of(case, request)


async def test_a_langflow_file_path_as_an_image_is_refused_by_name(service, client):
    export = model_flow("LanguageModelComponent", {})
    export["data"]["nodes"][0] = flowkit.node("ChatInput-1", "ChatInput", {
        "input_value": "", "files": flowkit.field([], "file", list=True)})
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": "look", "ChatInput-1.files": ["abc/cat.png"]})
    assert body["status"] == "failed"
    assert "the file 'abc/cat.png' is not available to Sluice" in body["errors"][0]["error"]


async def test_a_stream_that_breaks_off_after_its_first_tokens_is_not_tried_again(service, client, fake_openai):
    question = unique("cut short")
    fake_openai.script(question, fake.broken("one two three four"), fake.text("a second answer"))
    flow = await service.flow(client, model_flow("LanguageModelComponent", {"stream": flowkit.field(True, "bool")}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed", body
    assert "could not reach the model endpoint" in body["errors"][0]["error"]
    rows = await service.pool.fetch(
        "select data from job_events where job_id = $1 and type = 'token' order by seq", uuid.UUID(body["job_id"]))
    assert [row["data"]["chunk"] for row in rows] == ["one ", "two "]
    assert len(fake_openai.records(question)) == 1


async def test_a_local_provider_the_operator_did_not_configure_is_reached_under_the_network_policy(service, client):
    # LMSTUDIO_BASE_URL is not set here: the node's default (the worker's own loopback) is not the operator's.
    flow = await service.flow(client, model_flow("LMStudioModel", {"model_name": "qwen", "base_url":
                                                                   "http://localhost:1234/v1"}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": "hello"})
    assert body["status"] == "failed"
    assert "SLUICE_ALLOWED_HOSTS" in body["errors"][0]["error"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_a_503_then_200_succeeds_through_every_provider(service, client, fakes, case):
    question = unique(f"overloaded {case.name}")
    fakes[case.protocol].script(question, fake.error(503, "overloaded"), fake.text("back again"))
    flow = await service.flow(client, case_flow(case))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == "back again", body
    assert len(fakes[case.protocol].records(question)) == 2


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_a_malformed_answer_fails_at_once_through_every_provider(service, client, fakes, case):
    question = unique(f"garbled {case.name}")
    fakes[case.protocol].script(question, fake.malformed(), fake.text("never reached"))
    flow = await service.flow(client, case_flow(case))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    assert "did not answer with a JSON object" in body["errors"][0]["error"]
    assert len(fakes[case.protocol].records(question)) == 1
