"""The engine's graph features, run in-process: export shapes, type aliases, loops, router branch skipping."""

from __future__ import annotations

import json
import uuid

import pytest

import flowkit
import inprocess
from sluice.engine.context import RunContext
from sluice.engine.graph import FlowFormatError, parse_graph
from sluice.engine.inputs import InvalidInputs, group_overrides
from sluice.engine.runner import FlowFailed, run_graph
from sluice.engine.services import Services
from sluice.engine.validation import runnable_document

CORPUS = flowkit.corpus()
LEGACY = {"project/Langflow 0.x chain.json"}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_export_parses_or_is_refused_as_legacy(name):
    export = CORPUS[name]
    if name in LEGACY:
        with pytest.raises(FlowFormatError, match=r"0\.x format"):
            parse_graph(export)
        return
    graph = parse_graph(export)
    assert graph.nodes
    assert all(edge.source in graph.nodes and edge.target in graph.nodes for edge in graph.edges)


def test_type_aliases_read_as_the_schema_types():
    graph = parse_graph(flowkit.loop_flow())
    loop = graph.nodes["LoopComponent-L"]
    assert [out.types for out in loop.outputs] == [("Data", "Data"), ("DataFrame", "DataFrame")]


def test_parser_serves_both_type_keys():
    for node_type in ("ParserComponent", "parser"):
        export = flowkit.loop_flow()
        for node in export["data"]["nodes"]:
            if node["data"]["id"] == "ParserComponent-j":
                node["data"]["type"] = node_type
        runnable_document(export)


async def test_loop_visits_every_item_in_order_and_releases_them_on_done():
    outputs = await inprocess.run(flowkit.sequence_loop_flow())
    pairs = json.loads(outputs["ChatOutput-loop"].content)
    assert [first["text"] for first, _ in pairs] == [f"THIS IS Q ==> {number}" for number in range(10)]
    assert [second for _, second in pairs] == [{"q": number} for number in range(10)]


async def test_loop_over_an_empty_list_releases_an_empty_done():
    outputs = await inprocess.run(flowkit.sequence_loop_flow(count=0))
    assert json.loads(outputs["ChatOutput-loop"].content) == []


async def test_loop_flow_collects_each_pass_as_a_table_row():
    outputs = await inprocess.run(flowkit.loop_flow(), {"ChatInput-in.input_value": "x,y,z,w"})
    assert outputs["ChatOutput-out"].content == "item x | item y | item z | item w"


async def test_loop_body_failure_fails_the_run_naming_the_body_node():
    export = flowkit.loop_flow()
    for node in export["data"]["nodes"]:
        if node["data"]["id"] == "ParseData-p":
            node["data"]["node"]["template"]["template"]["value"] = "{missing}"
    with pytest.raises(FlowFailed) as failed:
        await inprocess.run(export, {"ChatInput-in.input_value": "a,b"})
    assert failed.value.component_id == "ParseData-p"
    assert "'missing'" in failed.value.message


async def test_loop_body_reads_values_from_outside_the_loop():
    export = flowkit.loop_flow()
    export["data"]["nodes"].append(flowkit.node("TextInput-t", "TextInput", {"input_value": "pre"}, outputs=("text",)))
    for node in export["data"]["nodes"]:
        if node["data"]["id"] == "ParseData-p":
            node["data"]["type"] = "Prompt"
            node["data"]["node"]["template"] = {"template": flowkit.field("{prefix}-{data}"),
                                                 "prefix": flowkit.field(""), "data": flowkit.field("")}
            node["data"]["node"]["outputs"] = [{"name": "prompt", "types": ["Message"]}]
    for edge in export["data"]["edges"]:
        if edge["source"] == "ParseData-p":
            edge["data"]["sourceHandle"]["name"] = "prompt"
    export["data"]["edges"].append(flowkit.edge("TextInput-t", "text", "ParseData-p", "prefix"))
    outputs = await inprocess.run(export, {"ChatInput-in.input_value": "a,b"})
    assert outputs["ChatOutput-out"].content == "pre-a | pre-b"


@pytest.mark.parametrize(("text", "branch"), [("Yes", "ChatOutput-yes"), ("nope", "ChatOutput-no")])
async def test_if_else_skips_the_untaken_branch_and_everything_behind_it(text, branch):
    outputs = await inprocess.run(flowkit.if_else_flow(),
                                  {"ChatInput-in.input_value": text, "ConditionalRouter-r.match_text": "yes"})
    other = ({"ChatOutput-yes", "ChatOutput-no"} - {branch}).pop()
    assert outputs[branch].status == "completed"
    assert outputs[other].status == "skipped"
    assert outputs[other].content is None


async def test_if_else_records_no_events_for_skipped_nodes():
    graph = parse_graph(flowkit.if_else_flow())
    events: list[tuple[str, dict]] = []
    context = RunContext(job_id=uuid.uuid4(), owner="o", flow_id=uuid.uuid4(), session_id="s", services=Services())
    context.emit = lambda kind, payload: events.append((kind, payload))
    overrides = group_overrides(graph, {"ChatInput-in.input_value": "Yes", "ConditionalRouter-r.match_text": "yes"})
    await run_graph(graph, overrides, context)
    started = [payload["component_id"] for kind, payload in events if kind == "component_start"]
    assert started == ["ChatInput-in", "ConditionalRouter-r", "ChatOutput-yes"]
    router_end = next(p for kind, p in events if kind == "component_end" and p["component_id"] == "ConditionalRouter-r")
    assert set(router_end["outputs"]) == {"true_result"}


def typed_edge_flow(output_types: list[str], input_types: list[str]) -> dict:
    export = flowkit.export("Typed", [
        flowkit.node("Webhook-w", "Webhook", {"data": ""}, outputs=("output_data",)),
        flowkit.node("parser-p", "parser", {"input_data": flowkit.field("", "other", input_types=input_types),
                                            "mode": "Stringify", "pattern": "", "sep": "\n"},
                     outputs=("parsed_text",)),
    ], [flowkit.edge("Webhook-w", "output_data", "parser-p", "input_data")])
    export["data"]["nodes"][0]["data"]["node"]["outputs"][0]["types"] = output_types
    return export


def test_handle_checks_treat_json_as_data_and_table_as_dataframe():
    runnable_document(typed_edge_flow(["JSON"], ["DataFrame", "Data"]))
    runnable_document(typed_edge_flow(["Table"], ["DataFrame"]))


def test_an_edge_of_the_wrong_type_is_refused_naming_it():
    with pytest.raises(FlowFormatError) as refused:
        runnable_document(typed_edge_flow(["Message"], ["DataFrame", "JSON"]))
    assert str(refused.value) == ("The edge Webhook-w.output_data -> parser-p.input_data carries Message into a field "
                                  "that accepts DataFrame/Data.")
    assert refused.value.node_ids == ("parser-p",)


async def test_prompt_variables_listed_in_custom_fields_are_inputs_even_without_a_field():
    export = flowkit.export("Dynamic", [
        flowkit.node("Prompt-p", "Prompt", {"template": "{greeting}, {name}!"}, outputs=("prompt",)),
    ], [])
    export["data"]["nodes"][0]["data"]["node"]["custom_fields"] = {"template": ["greeting", "name"]}
    outputs = await inprocess.run(export, {"Prompt-p.greeting": "Hi", "Prompt-p.name": "Ann"})
    assert outputs["Prompt-p"].content == "Hi, Ann!"
    with pytest.raises(InvalidInputs, match="names no parameter"):
        await inprocess.run(export, {"Prompt-p.other": "x"})
