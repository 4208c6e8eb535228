"""Every model provider, spoken in its own protocol, through the real service and worker processes.

Each provider's fake server (tests/fake_openai.py, tests/fake_providers.py) stands in for the
provider; the worker reaches it through the provider's operator variables (`GROQ_BASE_URL`...).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import fake_openai as fake
import flowkit
from conftest import start_service

GROQ_KEY = "gsk-operator-groq-key"


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    env = {**fake_openai.env(), "GROQ_BASE_URL": fake_openai.base_url, "GROQ_API_KEY": GROQ_KEY,
           "MISTRAL_BASE_URL": fake_openai.base_url, "MISTRAL_API_KEY": "mistral-key"}
    async with start_service(cluster, env, workers=1) as started:
        yield started


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
