"""Model components against a local OpenAI-compatible server: requests sent, answers returned, tokens streamed."""

from __future__ import annotations

import uuid

import pytest

import fake_openai as fake
import flowkit
import starters
from conftest import start_service

BASIC = "Basic Prompting.json"
BASIC_SYSTEM = ("Answer the user as if you were a GenAI expert, enthusiastic about helping them get started "
                "building something fresh.")


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env()) as started:
        yield started


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def run(client, flow_id: str, inputs: dict) -> dict:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "inputs": inputs})
    assert response.status_code == 200, response.text
    return response.json()


def model_flow(model_type: str, fields: dict, name: str = "Model") -> dict:
    """ChatInput -> <model> -> ChatOutput, with the model's fields as given."""
    model = flowkit.node("Model-1", model_type, {"input_value": "", "system_message": "", **fields},
                         outputs=("text_output", "model_output"))
    return flowkit.export(name, [flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), model,
                                 flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""})],
                          [flowkit.edge("ChatInput-1", "message", "Model-1", "input_value"),
                           flowkit.edge("Model-1", "text_output", "ChatOutput-1", "input_value")])


async def test_basic_prompting_sends_system_prompt_and_user_input_and_returns_the_answer(
        service, client, fake_openai):
    question = unique("How do I start?")
    fake_openai.script(question, fake.text("Start with a flow!"))
    flow = await service.flow(client, starters.load(BASIC))
    body = await run(client, flow["id"], {"ChatInput-b6UCc.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-yK0AU"]["content"] == "Start with a flow!"
    [sent] = fake_openai.received(question)
    assert sent["model"] == fake.MODEL
    assert sent["messages"] == [{"role": "system", "content": BASIC_SYSTEM}, {"role": "user", "content": question}]
    assert sent["temperature"] == 0.1
    assert "max_tokens" not in sent  # 0 in the export means no limit
    # Said explicitly, as Langflow's Language Model does.
    assert sent["stream"] is False


async def test_model_list_form_key_and_base_url_fields_are_used(service, client, fake_openai):
    question = unique("fields")
    export = model_flow("LanguageModelComponent", {
        "model": flowkit.field([{"name": "gpt-4o-mini", "provider": "OpenAI"}], "model"),
        "api_key": "sk-from-field",
        "max_tokens": flowkit.field(64, "int"),
    })
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == f"echo: {question}"
    [sent] = fake_openai.received(question)
    assert sent["model"] == "gpt-4o-mini"
    assert sent["max_tokens"] == 64
    [record] = [r for r in fake_openai.requests if question in str(r["body"])]
    assert record["authorization"] == "Bearer sk-from-field"


async def test_openai_model_uses_its_model_name_and_api_base(service, client, fake_openai):
    question = unique("openai")
    export = model_flow("OpenAIModel", {
        "model_name": "gpt-4.1", "openai_api_base": fake_openai.base_url,
        "temperature": flowkit.field(0.5, "slider"), "system_message": "Be brief.",
    })
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed"
    [sent] = fake_openai.received(question)
    assert sent["model"] == "gpt-4.1"
    assert sent["temperature"] == 0.5
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_streaming_records_token_events_that_add_up_to_the_answer(service, client, fake_openai):
    question = unique("stream")
    answer = "Streaming works, one word at a time."
    fake_openai.script(question, fake.text(answer))
    flow = await service.flow(client, model_flow("LanguageModelComponent", {"stream": flowkit.field(True, "bool")}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == answer
    assert fake_openai.received(question)[0]["stream"] is True
    rows = await service.pool.fetch(
        "select data from job_events where job_id = $1 and type = 'token' order by seq", uuid.UUID(body["job_id"]))
    chunks = [row["data"]["chunk"] for row in rows]
    assert len(chunks) > 1
    assert "".join(chunks) == answer
    assert {row["data"]["component_id"] for row in rows} == {"Model-1"}


async def test_model_endpoint_error_fails_the_job_with_a_clear_error(service, client, fake_openai):
    question = unique("broken")
    fake_openai.script(question, fake.error(500, "model overloaded"))
    flow = await service.flow(client, model_flow("LanguageModelComponent", {}))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    [problem] = body["errors"]
    assert problem["code"] == "COMPONENT_FAILED"
    assert "answered 500" in problem["error"] and "model overloaded" in problem["error"]
    assert problem["details"] == {"component_id": "Model-1"}


async def test_unconnected_text_output_makes_no_model_call(service, client, fake_openai):
    marker = unique("unused")
    export = flowkit.export("Unused", [
        flowkit.node("Model-1", "LanguageModelComponent", {"input_value": marker}, outputs=("text_output",
                                                                                             "model_output")),
        flowkit.node("Agent-1", "Agent", {"input_value": unique("agent question"), "system_prompt": ""},
                     outputs=("response", "structured_response")),
    ], [flowkit.edge("Model-1", "model_output", "Agent-1", "model")])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {})
    assert body["status"] == "completed", body
    assert fake_openai.received(marker) == []
    assert body["outputs"]["Agent-1"]["content"].startswith("echo: agent question")


async def test_no_model_configured_fails_naming_the_node(cluster, fake_openai):
    env = fake_openai.env() | {"SLUICE_DEFAULT_MODEL": ""}
    async with start_service(cluster, env) as bare:
        _, key = await bare.key()
        async with bare.client(key) as http:
            flow = await bare.flow(http, starters.load(BASIC))
            body = await run(http, flow["id"], {"ChatInput-b6UCc.input_value": "hi"})
    assert body["status"] == "failed"
    [problem] = body["errors"]
    assert "LanguageModelComponent-FLeYF" in problem["error"]
    assert "no model is configured" in problem["error"]
    assert "SLUICE_DEFAULT_MODEL" in problem["error"]
