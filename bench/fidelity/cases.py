"""The flows both systems run: Langflow's starters that need nothing offline but a chat model, flows
without a model built from starter nodes, and two-turn sessions.

A case is a flow and the texts of its turns (one run each, in one session). `[[call NAME {json}]]`
in a text makes the model call that tool (bench/fidelity/model.py).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import attrs

from bench.flows import tests_module

# Langflow's starter exports from the pinned wheel, fetched and cached as the tests do (tests/starters.py).
starters = tests_module("starters")

FLOWS = Path(__file__).resolve().parents[2] / ".bench" / "fidelity-flows"


@attrs.frozen
class Case:
    name: str
    flow: dict[str, Any]
    turns: tuple[str, ...] = ("Hello, what can you do?",)

    @property
    def path(self) -> Path:
        return FLOWS / f"{self.name}.json"


# Starters that cannot run here, and why.
NOT_RUNNABLE = {
    "Custom Component Generator": "Memory Base (a knowledge-base memory): Sluice has no such component",
    "Meeting Summary": "AssemblyAI transcription (an online service) and Memory Base",
    "Price Deal Finder": "Memory Base: Sluice has no such component",
    "Document Q&A": "a Knowledge base (embeddings and a stored index)",
    "Knowledge Retrieval": "a Knowledge base (embeddings and a stored index)",
    "Vector Store RAG": "a Knowledge base (embeddings and a stored index)",
    "Hybrid Search RAG": "Astra DB (an online vector store)",
    "Financial Report Parser": "a File input (no file in the export); run with the report typed in instead",
    "Portfolio Website Code Generator": "a File input (no file in the export)",
    "Text Sentiment Analysis": "a File input (no file in the export)",
    "Research Translation Loop": "arXiv search (online)",
    "Content Aggregator": "Batch Run and Save to File over web results (online)",
    "SaaS Pricing": "a SQL database the export names but does not ship",
}

# The starters leave the model to Langflow's global setting, which lfx alone does not have: both
# systems get this one, served by the recording model server.
MODEL = [{"name": "gpt-4o-mini", "provider": "OpenAI"}]
SEARCH = '[[call perform_search {"query": "langflow", "search_mode": "Web"}]]'
CALCULATE = '[[call evaluate_expression {"expression": "3 * (4 + 5)"}]]'


def starter_cases() -> list[Case]:
    plain = ["Basic Prompting", "Blog Writer", "Deep Research Agent", "Image Sentiment Analysis",
             "Instagram Copywriter", "Market Research", "Multi Agent Flow", "SEO Keyword Generator",
             "Sequential Tasks Agents", "Social Media Agent", "Twitter Thread Generator"]
    cases = [Case(name, _with_model(starters.load(f"{name}.json"))) for name in plain]
    cases.append(Case("Simple Agent", _with_model(starters.load("Simple Agent.json")),
                      ("Hello, who are you?", "And what did I just ask you?")))
    cases.append(Case("Travel Planning Agents", _with_model(starters.load("Travel Planning Agents.json")),
                      (f"Plan three days in Lisbon. {CALCULATE}",)))
    cases.append(Case("Simple Agent, web search offline", _with_model(starters.load("Simple Agent.json")),
                      (f"News about Langflow? {SEARCH}",)))
    report = starters.load("Financial Report Parser.json")
    cases.append(Case("Financial Report Parser, report typed in", _typed_in(report),
                      ("Revenue was 12 million dollars; EBITDA 3 million; net income 1.5 million.",)))
    cases.append(Case("Basic Prompting, two turns", _with_model(starters.load("Basic Prompting.json")),
                      ("First question.", "Second question.")))
    return cases


def _typed_in(flow: dict[str, Any]) -> dict[str, Any]:
    """The flow with its File input replaced by a Chat Input (the report's text typed in)."""
    said = _clone("ChatInput", "ChatInput-report")
    files = {node["id"] for node in flow["data"]["nodes"] if node["data"].get("type") == "File"}
    flow["data"]["nodes"] = [node for node in flow["data"]["nodes"] if node["id"] not in files] + [said]
    for edge in flow["data"]["edges"]:
        if edge["source"] in files:
            edge["source"] = edge["data"]["sourceHandle"]["id"] = said["id"]
            edge["data"]["sourceHandle"].update(name="message", dataType="ChatInput", output_types=["Message"])
    return _with_model(flow)


def _with_model(flow: dict[str, Any]) -> dict[str, Any]:
    for node in flow["data"]["nodes"]:
        field = node["data"].get("node", {}).get("template", {}).get("model")
        if isinstance(field, dict) and field.get("type") == "model" and not field.get("value"):
            field["value"] = copy.deepcopy(MODEL)
    return flow


def _clone(node_type: str, node_id: str, **values: Any) -> dict[str, Any]:
    return starters.node(node_type, node_id, **values)


def _prompt(node_id: str, template: str) -> dict[str, Any]:
    """A starter's Prompt with the variables `context` and `question` (Document Q&A's)."""
    for raw in starters.load("Document Q&A.json")["data"]["nodes"]:
        if raw["data"].get("type") == "Prompt":
            built = copy.deepcopy(raw)
            built["id"] = built["data"]["id"] = node_id
            built["data"]["node"]["template"]["template"]["value"] = template
            return built
    raise LookupError("Document Q&A has no Prompt")


def _bare(node_type: str, node_id: str, outputs: list[dict[str, Any]], **values: Any) -> dict[str, Any]:
    """A node with its field values only: lfx completes it from its component index."""
    template = {name: {"name": name, "value": value, "type": "str", "show": True} for name, value in values.items()}
    return {"id": node_id, "type": "genericNode",
            "data": {"id": node_id, "type": node_type, "node": {"template": template, "outputs": outputs}}}


def _wire(source: dict[str, Any], output: str, target: dict[str, Any], field: str, kind: str) -> dict[str, Any]:
    return {"id": f"edge-{source['id']}-{output}-{target['id']}-{field}", "source": source["id"],
            "target": target["id"],
            "data": {"sourceHandle": {"dataType": source["data"]["type"], "id": source["id"], "name": output,
                                      "output_types": [kind]},
                     "targetHandle": {"fieldName": field, "id": target["id"], "inputTypes": [kind], "type": "other"}}}


def _export(name: str, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "data": {"nodes": nodes, "edges": edges}}


def _output(name: str, method: str, kind: str) -> dict[str, Any]:
    return {"name": name, "method": method, "types": [kind], "selected": kind}


def no_model_cases() -> list[Case]:
    said, answer = _clone("ChatInput", "ChatInput-echo"), _clone("ChatOutput", "ChatOutput-echo")
    echo = _export("Echo", [said, answer], [_wire(said, "message", answer, "input_value", "Message")])

    def history(name: str, output: str, method: str, kind: str, convert: bool) -> dict[str, Any]:
        """Message History -> (Type Convert ->) Prompt, with Chat Input's text -> Chat Output: what a model
        would be sent, with the conversation so far in it."""
        said = _clone("ChatInput", f"ChatInput-{name}")
        memory = _bare("Memory", f"Memory-{name}", [_output(output, method, kind)], mode="Retrieve", n_messages=100,
                       order="Ascending", sender_type="Machine and User", template="{sender_name}: {text}")
        prompt = _prompt(f"Prompt-{name}", "{context}\n\nUser: {question}")
        answer = _clone("ChatOutput", f"ChatOutput-{name}")
        edges = [_wire(said, "message", prompt, "question", "Message"),
                 _wire(prompt, "prompt", answer, "input_value", "Message")]
        if not convert:
            return _export(name, [said, memory, prompt, answer],
                           [_wire(memory, output, prompt, "context", kind), *edges])
        to_message = _bare("TypeConverterComponent", f"TypeConverterComponent-{name}",
                           [_output("message_output", "convert_to_message", "Message")], output_type="Message")
        return _export(name, [said, memory, to_message, prompt, answer], [
            _wire(memory, output, to_message, "input_data", kind),
            _wire(to_message, "message_output", prompt, "context", "Message"), *edges,
        ])

    turns = ("My name is Ada.", "What is my name?\nAnswer in one line.")
    return [
        Case("Echo (no model)", echo),
        Case("History as a table (no model)", history("table", "dataframe", "retrieve_messages_dataframe",
                                                       "DataFrame", convert=True), turns),
        Case("History as text (no model)", history("text", "messages_text", "retrieve_messages_as_text",
                                                    "Message", convert=False), turns),
    ]


def all_cases() -> list[Case]:
    return [*starter_cases(), *no_model_cases()]


def write(cases: list[Case]) -> None:
    FLOWS.mkdir(parents=True, exist_ok=True)
    for case in cases:
        case.path.write_text(json.dumps(case.flow))
