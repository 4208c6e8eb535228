"""The Agent's tool-calling loop, tool-mode nodes, and the other model components, against the fake server."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

import fake_openai as fake
import flowkit
import starters
from conftest import start_service
from sluice.engine.context import RunContext
from sluice.engine.graph import parse_graph
from sluice.engine.runner import run_graph
from sluice.engine.values import Message


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env()) as started:
        yield started


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def run(client, flow_id: str, inputs: dict | None = None) -> dict:
    response = await client.post("/api/v2/workflows", json={"flow_id": flow_id, "inputs": inputs or {}})
    assert response.status_code == 200, response.text
    return response.json()


def agent_node(**fields) -> dict:
    defaults = {"input_value": "", "system_prompt": "You are helpful.", "tools": flowkit.field("", "other", list=True),
                "add_calculator_tool": flowkit.field(False, "bool"),
                "add_current_date_tool": flowkit.field(False, "bool"),
                "max_iterations": flowkit.field(15, "int"), "output_schema": flowkit.field([], "table")}
    return flowkit.node("Agent-1", "Agent", {**defaults, **fields}, outputs=("response", "structured_response"))


def chat_flow(agent: dict, extra_nodes: tuple = (), extra_edges: tuple = (), output: str = "response") -> dict:
    return flowkit.export("Agent flow", [
        flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), agent,
        flowkit.node("ChatOutput-1", "ChatOutput", {"input_value": ""}), *extra_nodes,
    ], [flowkit.edge("ChatInput-1", "message", "Agent-1", "input_value"),
        flowkit.edge("Agent-1", output, "ChatOutput-1", "input_value"), *extra_edges])


def tool_messages(request: dict) -> list[dict]:
    return [message for message in request["messages"] if message["role"] == "tool"]


async def test_agent_calls_the_calculator_and_answers_with_its_result(service, client, fake_openai):
    question = unique("What is 2 + 3 * 4?")
    fake_openai.script(question, fake.tool_call("evaluate_expression", {"expression": "2 + 3 * 4"}, "call_calc"),
                       fake.text("2 + 3 * 4 is 14."))
    flow = await service.flow(client, chat_flow(agent_node(add_calculator_tool=flowkit.field(True, "bool"))))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-1"]["content"] == "2 + 3 * 4 is 14."
    first, second = fake_openai.received(question)
    assert [tool["function"]["name"] for tool in first["tools"]] == ["evaluate_expression"]
    assert first["messages"] == [{"role": "system", "content": "You are helpful."},
                                 {"role": "user", "content": question}]
    assert second["messages"][2]["tool_calls"][0]["id"] == "call_calc"
    assert tool_messages(second) == [{"role": "tool", "tool_call_id": "call_calc", "content": '{"result": "14"}'}]


async def test_calculator_errors_go_back_to_the_model(service, client, fake_openai):
    question = unique("Divide by zero")
    fake_openai.script(question, fake.tool_call("evaluate_expression", {"expression": "1/0"}),
                       fake.text("That is undefined."))
    flow = await service.flow(client, chat_flow(agent_node(add_calculator_tool=flowkit.field(True, "bool"))))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == "That is undefined."
    [result] = tool_messages(fake_openai.received(question)[1])
    assert json.loads(result["content"]) == {"error": "Error: Division by zero", "input": "1/0"}


async def test_current_date_tool_answers_in_the_asked_timezone(service, client, fake_openai):
    question = unique("What day is it?")
    fake_openai.script(question, fake.tool_call("get_current_date", {"timezone": "Europe/Paris"}), fake.text("Today."))
    flow = await service.flow(client, chat_flow(agent_node(add_current_date_tool=flowkit.field(True, "bool"))))
    await run(client, flow["id"], {"ChatInput-1.input_value": question})
    [result] = tool_messages(fake_openai.received(question)[1])
    assert result["content"].startswith("Current date and time in Europe/Paris: 20")


def greeter_tool(metadata: list | None) -> dict:
    fields = {
        "greeting": flowkit.field("", "str"),
        "name": flowkit.field("", "str", tool_mode=True, required=True, info="Who to greet."),
    }
    if metadata is not None:
        fields["tools_metadata"] = flowkit.field(metadata, "tools")
    return flowkit.node("Greet-1", "SluiceTestGreet", fields, outputs=("component_as_tool",),
                        display_name="Greeter")


async def test_tool_mode_node_is_offered_and_runs_with_the_models_arguments(service, client, fake_openai):
    question = unique("Greet Ada")
    metadata = [{"name": "greet_person", "description": "Greets a person.", "status": True,
                 "args": {"name": {"type": "string", "description": "Who to greet."}}}]
    # The model also tries to set `greeting`, which the tool does not declare: it must be ignored.
    fake_openai.script(question, fake.tool_call("greet_person", {"name": "Ada", "greeting": "Go away"}),
                       fake.text("Greeted."))
    export = chat_flow(
        agent_node(),
        extra_nodes=(flowkit.node("TextInput-1", "TextInput", {"input_value": "Bonjour"}, outputs=("text",)),
                     greeter_tool(metadata)),
        extra_edges=(flowkit.edge("TextInput-1", "text", "Greet-1", "greeting"),
                     flowkit.edge("Greet-1", "component_as_tool", "Agent-1", "tools")),
    )
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    first, second = fake_openai.received(question)
    assert first["tools"] == [{"type": "function", "function": {
        "name": "greet_person", "description": "Greets a person.",
        "parameters": {"type": "object", "properties": {"name": {"type": "string", "description": "Who to greet."}},
                       "required": ["name"]}}}]
    assert tool_messages(second)[0]["content"] == "Bonjour, Ada"
    rows = await service.pool.fetch("select type, data from job_events where job_id = $1 order by seq",
                                    uuid.UUID(body["job_id"]))
    greeter = [row for row in rows if row["data"].get("component_id") == "Greet-1"]
    # Not run as a step: it runs once, when the model calls it, and says so.
    assert [(row["type"], row["data"]["tool"]) for row in greeter] == [("component_start", "greet_person"),
                                                                       ("component_end", "greet_person")]


async def test_tool_without_metadata_is_described_from_its_tool_mode_fields(service, client, fake_openai):
    question = unique("Describe tools")
    export = chat_flow(agent_node(), extra_nodes=(greeter_tool(None),),
                       extra_edges=(flowkit.edge("Greet-1", "component_as_tool", "Agent-1", "tools"),))
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == f"echo: {question}"
    [sent] = fake_openai.received(question)
    [tool] = sent["tools"]
    assert tool["function"]["name"] == "Greeter"
    assert tool["function"]["parameters"] == {
        "type": "object", "properties": {"name": {"type": "string", "description": "Who to greet."}},
        "required": ["name"]}


async def test_agent_that_never_stops_calling_tools_fails_at_max_iterations(service, client, fake_openai):
    question = unique("Loop forever")
    fake_openai.script(question, fake.tool_call("evaluate_expression", {"expression": "1+1"}))
    flow = await service.flow(client, chat_flow(agent_node(add_calculator_tool=flowkit.field(True, "bool"),
                                                           max_iterations=flowkit.field(3, "int"))))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    assert "max_iterations (3)" in body["errors"][0]["error"]
    assert len(fake_openai.received(question)) == 3


async def test_agent_unknown_tool_and_bad_arguments_are_reported_to_the_model(service, client, fake_openai):
    question = unique("Bad calls")
    fake_openai.script(question, {"kind": "tools", "calls": [
        {"id": "c1", "name": "no_such_tool", "arguments": "{}"},
        {"id": "c2", "name": "evaluate_expression", "arguments": "{not json"}]}, fake.text("Sorry."))
    flow = await service.flow(client, chat_flow(agent_node(add_calculator_tool=flowkit.field(True, "bool"))))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == "Sorry."
    results = {m["tool_call_id"]: m["content"] for m in tool_messages(fake_openai.received(question)[1])}
    assert results == {"c1": "Error: there is no tool named 'no_such_tool'.",
                       "c2": "Error: the arguments for evaluate_expression are not valid JSON."}


SCHEMA = [{"name": "city", "description": "The city", "type": "str", "multiple": "False"},
          {"name": "population", "description": "People", "type": "int", "multiple": "False"}]


async def test_agent_with_tools_asks_for_the_schema_in_its_instructions(service, client, fake_openai):
    question = unique("Rome has 3 million people")
    fake_openai.script(question, fake.text("Not JSON at all."))
    agent = agent_node(output_schema=flowkit.field(SCHEMA, "table"), format_instructions="Extract cities.",
                       add_calculator_tool=flowkit.field(True, "bool"))
    export = flowkit.export("Structured agent with tools", [
        flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), agent,
        flowkit.node("Out-1", "SluiceTestSleep", {"input_value": ""}, outputs=("text",))],
        [flowkit.edge("ChatInput-1", "message", "Agent-1", "input_value"),
         flowkit.edge("Agent-1", "structured_response", "Out-1", "input_value")])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    # An answer that is not the JSON asked for is a Data naming the error, as in Langflow: the run goes on.
    assert body["status"] == "completed", body
    [sent] = fake_openai.received(question)
    assert "response_format" not in sent
    prompt = sent["messages"][0]["content"]
    assert prompt.startswith("You are helpful.\n\nFormat instructions: Extract cities.\n\nYou must respond ONLY")
    assert '"$ref": "#/$defs/OutputModel"' in prompt


async def test_agent_structured_response_asks_for_the_schema_and_returns_data(service, client, fake_openai):
    question = unique("Paris has 2 million people")
    fake_openai.script(question, fake.text('```json\n{"objects": [{"city": "Paris", "population": 2000000}]}\n```'))
    agent = agent_node(output_schema=flowkit.field(SCHEMA, "table"), format_instructions="Extract cities.")
    export = flowkit.export("Structured agent", [flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), agent],
                            [flowkit.edge("ChatInput-1", "message", "Agent-1", "input_value")])
    # Only structured_response is read downstream here: the plain response must not be computed.
    export["data"]["nodes"].append(flowkit.node("Out-1", "SluiceTestSleep", {"input_value": ""}, outputs=("text",)))
    export["data"]["edges"].append(flowkit.edge("Agent-1", "structured_response", "Out-1", "input_value"))
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    [sent] = fake_openai.received(question)
    # Without tools, as Langflow's Agent: the model's strict JSON-schema mode, the instructions and the
    # input alone (the format instructions are not sent on this path).
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    schema = sent["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["objects"]["items"] == {"$ref": "#/$defs/OutputModel"}
    assert schema["$defs"]["OutputModel"]["properties"]["population"] == {
        "description": "People", "title": "Population", "type": "integer"}
    assert sent["messages"] == [{"role": "system", "content": "You are helpful."},
                                {"role": "user", "content": question}]
    [end] = await service.pool.fetch("select data from job_events where job_id = $1 and type = 'component_end' "
                                     "and data->>'component_id' = 'Agent-1'", uuid.UUID(body["job_id"]))
    assert end["data"]["outputs"] == {"structured_response": {
        "type": "data", "component_id": "Agent-1", "status": "completed",
        "content": {"city": "Paris", "population": 2000000}, "metadata": {}}}


def structured_flow(schema: list) -> dict:
    node = flowkit.node("Structured-1", "StructuredOutput", {
        "input_value": "", "system_prompt": "Extract.", "output_schema": flowkit.field(schema, "table"),
        "schema_name": "",
    }, outputs=("structured_output", "dataframe_output"))
    return flowkit.export("Structured", [flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}), node],
                          [flowkit.edge("ChatInput-1", "message", "Structured-1", "input_value")])


async def test_structured_output_returns_the_objects_as_data(service, client, fake_openai):
    question = unique("Two cities")
    fake_openai.script(question, fake.tool_call("OutputModel", {"objects": [{"city": "Oslo", "population": 700000},
                                                                            {"city": "Bergen", "population": 290000}]}))
    flow = await service.flow(client, structured_flow(SCHEMA))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "completed", body
    output = body["outputs"]["Structured-1"]
    assert output["type"] == "data"
    assert output["content"] == {"results": [{"city": "Oslo", "population": 700000},
                                             {"city": "Bergen", "population": 290000}]}
    [request] = fake_openai.received(question)
    # As Langflow's extractor: the call of the output model's tool is forced, the prompt left alone.
    assert request["tool_choice"] == {"type": "function", "function": {"name": "OutputModel"}}
    assert [tool["function"]["name"] for tool in request["tools"]] == ["OutputModel"]
    assert request["messages"] == [{"role": "system", "content": "Extract."}, {"role": "user", "content": question}]
    assert "response_format" not in request


async def test_structured_output_without_the_tool_call_fails_clearly(service, client, fake_openai):
    question = unique("Unparseable")
    fake_openai.script(question, fake.text("I would rather not answer in JSON."))
    flow = await service.flow(client, structured_flow(SCHEMA))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["status"] == "failed"
    [problem] = body["errors"]
    assert problem["details"] == {"component_id": "Structured-1"}
    assert problem["error"] == "StructuredOutput (Structured-1): No structured output returned"


def batch_flow(**fields) -> dict:
    return flowkit.export("Batch", [
        flowkit.node("Batch-1", "BatchRunComponent", {
            "df": flowkit.field("", "other"), "system_message": "Name the colour.", "column_name": "",
            "output_column_name": "model_response", "enable_metadata": flowkit.field(False, "bool"), **fields,
        }, outputs=("batch_results",)),
    ], [])


async def test_batch_run_answers_each_row_of_a_column_in_order(service, client, fake_openai):
    marker = uuid.uuid4().hex[:8]
    fake_openai.script(f"apple {marker}", fake.text("red"))
    fake_openai.script(f"banana {marker}", fake.text("yellow"))
    rows = [{"fruit": f"apple {marker}", "n": 1}, {"fruit": f"banana {marker}", "n": 2}]
    flow = await service.flow(client, batch_flow(df=flowkit.field(rows, "table"), column_name="fruit",
                                                 output_column_name="colour"))
    body = await run(client, flow["id"])
    assert body["status"] == "completed", body
    assert body["outputs"]["Batch-1"]["content"] == [
        {"fruit": f"apple {marker}", "n": 1, "colour": "red", "batch_index": 0},
        {"fruit": f"banana {marker}", "n": 2, "colour": "yellow", "batch_index": 1},
    ]
    [sent] = fake_openai.received(f"apple {marker}")
    assert sent["messages"] == [{"role": "system", "content": "Name the colour."},
                                {"role": "user", "content": f"apple {marker}"}]


async def test_batch_run_without_a_column_sends_whole_rows_as_toml(service, client, fake_openai):
    marker = uuid.uuid4().hex[:8]
    flow = await service.flow(client, batch_flow(df=flowkit.field([{"name": marker, "size": 3}], "table"),
                                                 enable_metadata=flowkit.field(True, "bool")))
    body = await run(client, flow["id"])
    [row] = body["outputs"]["Batch-1"]["content"]
    toml = f'[name]\nvalue = "{marker}"\n\n[size]\nvalue = "3"\n'
    assert row["model_response"] == f"echo: {toml}"
    assert row["metadata"] == {"has_system_message": True, "input_length": len(toml),
                               "response_length": len(f"echo: {toml}"), "processing_status": "success"}


async def test_batch_run_with_an_unknown_column_fails_clearly(service, client, fake_openai):
    flow = await service.flow(client, batch_flow(df=flowkit.field([{"a": 1}], "table"), column_name="b"))
    body = await run(client, flow["id"])
    assert body["status"] == "failed"
    assert "no column 'b'" in body["errors"][0]["error"]


async def test_image_generation_returns_an_image_output(service, client, fake_openai):
    prompt = unique("A lighthouse at dawn")
    fake_openai.script(prompt, fake.image(url="https://images.test/lighthouse.png"))
    export = flowkit.export("Image", [
        flowkit.node("ChatInput-1", "ChatInput", {"input_value": ""}),
        flowkit.node("Image-1", "ImageGeneration", {"prompt": "", "size": "512x512"}, outputs=("image",)),
    ], [flowkit.edge("ChatInput-1", "message", "Image-1", "prompt")])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": prompt})
    assert body["status"] == "completed", body
    output = body["outputs"]["Image-1"]
    assert output["type"] == "image"
    assert output["content"] == {"url": "https://images.test/lighthouse.png"}
    [sent] = fake_openai.received(prompt, "/v1/images/generations")
    assert sent == {"model": fake.IMAGE_MODEL, "prompt": prompt, "size": "512x512", "n": 1}


async def test_image_generation_returns_bytes_as_a_data_uri(service, client, fake_openai):
    prompt = unique("A tiny dot")
    fake_openai.script(prompt, fake.image(b64="iVBORw0KGgo="))
    export = flowkit.export("Image", [
        flowkit.node("Image-1", "ImageGeneration", {"prompt": prompt}, outputs=("image",)),
    ], [])
    flow = await service.flow(client, export)
    body = await run(client, flow["id"])
    assert body["outputs"]["Image-1"]["content"] == "data:image/png;base64,iVBORw0KGgo="


SIMPLE_AGENT = "Simple Agent.json"


def template_value(export: dict, node_id: str, field: str):
    [node] = [n for n in export["data"]["nodes"] if n["id"] == node_id]
    return node["data"]["node"]["template"][field]["value"]


async def test_simple_agent_sends_its_system_prompt_input_and_tools_and_returns_the_answer(
        service, client, fake_openai):
    question = unique("Find me the news")
    fake_openai.script(question, fake.text("Here is what I found."))
    export = starters.load(SIMPLE_AGENT)
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-tKQ4d.input_value": question})
    assert body["status"] == "completed", body
    assert body["outputs"]["ChatOutput-KxTA8"]["content"] == "Here is what I found."
    [sent] = fake_openai.received(question)
    assert sent["model"] == fake.MODEL
    # Langflow fills the instructions' placeholders: today's date, the model's name, no user context.
    instructions = template_value(export, "Agent-EXpSZ", "system_prompt")
    assert "{current_date}" in instructions
    filled = (instructions.replace("{current_date}", datetime.now(UTC).date().isoformat())
              .replace("{model_name}", fake.MODEL).replace("{optional_user_context}", ""))
    assert sent["messages"] == [{"role": "system", "content": filled}, {"role": "user", "content": question}]
    # Always streamed, with the usage figures asked for, as Langflow's Agent does.
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    tools = {tool["function"]["name"]: tool["function"] for tool in sent["tools"]}
    # Connected tools in edge order, then the built-ins in Langflow's order.
    assert list(tools) == ["fetch_content", "perform_search", "get_current_date", "evaluate_expression"]
    assert tools["fetch_content"]["parameters"]["properties"]["urls"]["type"] == "array"
    assert tools["perform_search"]["parameters"]["required"] == ["query"]
    # The export's `title` keys and empty `required` lists are not sent, as in Langflow.
    assert "title" not in json.dumps(sent["tools"])
    assert "required" not in tools["fetch_content"]["parameters"]
    assert tools["get_current_date"]["parameters"] == {
        "properties": {"timezone": {"default": "UTC", "type": "string",
                                    "description": "Select the timezone for the current date and time."}},
        "type": "object"}


async def test_simple_agent_url_tool_refuses_a_private_address(service, client, fake_openai):
    question = unique("Read my local page")
    fake_openai.script(question, fake.tool_call("fetch_content", {"urls": ["http://127.0.0.1:9/secret"]}),
                       fake.text("I cannot read it."))
    flow = await service.flow(client, starters.load(SIMPLE_AGENT))
    body = await run(client, flow["id"], {"ChatInput-tKQ4d.input_value": question})
    assert body["outputs"]["ChatOutput-KxTA8"]["content"] == "I cannot read it."
    [result] = tool_messages(fake_openai.received(question)[1])
    assert result["content"].startswith("Error: Refused to connect to 127.0.0.1: it is a loopback address.")


async def test_agent_sends_the_sessions_earlier_turns_as_chat_history(fake_openai, monkeypatch):
    for name, value in fake_openai.env().items():
        monkeypatch.setenv(name, value)
    question = unique("And now?")
    context = RunContext(job_id=uuid.uuid4(), owner="someone", flow_id=uuid.uuid4(), session_id="chat-1")
    for text, sender in [("first question", "User"), ("first answer", "Machine"), ("second question", "User")]:
        await context.history.add("someone", Message(text, sender=sender, session_id="chat-1"))
    graph = parse_graph(chat_flow(agent_node(n_messages=flowkit.field(2, "int"))))
    outputs = await run_graph(graph, {"ChatInput-1": {"input_value": question}}, context)
    assert outputs["ChatOutput-1"].content == f"echo: {question}"
    [sent] = fake_openai.received(question)
    assert sent["messages"] == [{"role": "system", "content": "You are helpful."},
                                {"role": "assistant", "content": "first answer"},
                                {"role": "user", "content": "second question"},
                                {"role": "user", "content": question}]


async def test_streaming_agent_streams_its_final_answer_after_a_tool_call(service, client, fake_openai):
    question = unique("Stream 6 * 7")
    fake_openai.script(question, fake.tool_call("evaluate_expression", {"expression": "6 * 7"}, "call_s"),
                       fake.text("Six times seven is 42."))
    agent = agent_node(add_calculator_tool=flowkit.field(True, "bool"), stream=flowkit.field(True, "bool"))
    flow = await service.flow(client, chat_flow(agent))
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    assert body["outputs"]["ChatOutput-1"]["content"] == "Six times seven is 42."
    first, second = fake_openai.received(question)
    assert first["stream"] is True
    assert tool_messages(second) == [{"role": "tool", "tool_call_id": "call_s", "content": '{"result": "42"}'}]
    rows = await service.pool.fetch("select data from job_events where job_id = $1 and type = 'token' order by seq",
                                    uuid.UUID(body["job_id"]))
    assert "".join(row["data"]["chunk"] for row in rows) == "Six times seven is 42."


async def test_a_connected_tool_takes_precedence_over_the_built_in_of_the_same_name(service, client, fake_openai):
    question = unique("Connected calculator")
    fake_openai.script(question, fake.tool_call("evaluate_expression", {"expression": "2**10"}), fake.text("1024"))
    metadata = [{"name": "evaluate_expression", "description": "Arithmetic.", "status": True,
                 "args": {"expression": {"type": "string"}}}]
    calculator = flowkit.node("Calculator-1", "CalculatorComponent", {
        "expression": flowkit.field("", "str"), "tools_metadata": flowkit.field(metadata, "tools"),
    }, outputs=("component_as_tool",))
    export = chat_flow(agent_node(add_calculator_tool=flowkit.field(True, "bool")), extra_nodes=(calculator,),
                       extra_edges=(flowkit.edge("Calculator-1", "component_as_tool", "Agent-1", "tools"),))
    flow = await service.flow(client, export)
    body = await run(client, flow["id"], {"ChatInput-1.input_value": question})
    first, second = fake_openai.received(question)
    assert [tool["function"]["description"] for tool in first["tools"]] == ["Arithmetic."]
    assert tool_messages(second)[0]["content"] == '{"result": "1024"}'
    starts = await service.pool.fetch("select data->>'component_id' as id from job_events where job_id = $1 "
                                      "and type = 'component_start'", uuid.UUID(body["job_id"]))
    assert "Calculator-1" in {row["id"] for row in starts}
