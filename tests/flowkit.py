"""Builds Langflow 1.x flow exports for tests, in the same shape Langflow writes them.

Small ones from minimal nodes (`node`, `edge`); realistic ones from the nodes of Langflow's starter
flows (`starters.node`, `starters.wire`: the templates and embedded code Langflow exports), with the
node types no starter has written here in the same shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import starters

DEMO_FLOWS = Path(__file__).resolve().parents[1] / "service" / "sluice" / "demo"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def field(value: Any, kind: str = "str", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "value": value, "list": False, "show": True, **extra}


def node(node_id: str, node_type: str, fields: dict[str, Any] | None = None,
         outputs: tuple[str, ...] = ("message",), display_name: str | None = None) -> dict[str, Any]:
    template = {name: spec if isinstance(spec, dict) else field(spec) for name, spec in (fields or {}).items()}
    return {
        "id": node_id,
        "type": "genericNode",
        "data": {
            "id": node_id,
            "type": node_type,
            "node": {
                "display_name": display_name or node_type,
                "template": template,
                "outputs": [{"name": name, "types": ["Message"]} for name in outputs],
            },
        },
    }


def edge(source: str, output: str, target: str, target_field: str) -> dict[str, Any]:
    return {
        "source": source,
        "target": target,
        "data": {
            "sourceHandle": {"id": source, "name": output, "output_types": ["Message"]},
            "targetHandle": {"id": target, "fieldName": target_field, "inputTypes": ["Message"], "type": "str"},
        },
    }


def export(name: str, nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
           endpoint_name: str | None = None, description: str | None = None) -> dict[str, Any]:
    """A flow export; with a `description`, also the other top-level fields Langflow's export writes."""
    document: dict[str, Any] = {"name": name, "data": {"nodes": nodes, "edges": edges}}
    if description is not None:
        document |= {"description": description, "endpoint_name": None, "is_component": False,
                     "last_tested_version": starters.VERSION, "tags": []}
    if endpoint_name:
        document["endpoint_name"] = endpoint_name
    return document


def sleep_flow(seconds: float, name: str = "Sleepy") -> dict[str, Any]:
    """ChatInput -> SluiceTestSleep(seconds) -> ChatOutput."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("Sleep-1", "SluiceTestSleep", {"seconds": field(seconds, "float"), "input_value": ""},
                 outputs=("text",)),
            node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
        ],
        [edge("ChatInput-in", "message", "Sleep-1", "input_value"),
         edge("Sleep-1", "text", "ChatOutput-out", "input_value")],
    )


def chat_input(node_id: str) -> dict[str, Any]:
    return starters.node("ChatInput", node_id, input_value="", session_id="")


def chat_output(node_id: str) -> dict[str, Any]:
    return starters.node("ChatOutput", node_id, input_value="", session_id="")


def echo_flow(name: str = "Echo") -> dict[str, Any]:
    """Chat Input -> Chat Output, both as Langflow's starters export them: answers with the message."""
    said, answer = chat_input("ChatInput-echo"), chat_output("ChatOutput-echo")
    return export(name, [said, answer], [starters.wire(said, "message", answer, "input_value")],
                  description="Answers with the chat message it is given.")


def prompt_node(node_id: str, template: str, **values: str) -> dict[str, Any]:
    """A starter's Prompt with `template`; each keyword names a variable (a text field) and its value."""
    built = starters.node("Prompt", node_id, template=template)
    body = built["data"]["node"]
    for variable in body.get("custom_fields", {}).get("template", []):
        del body["template"][variable]
    body["custom_fields"] = {"template": list(values)}
    for variable, value in values.items():
        body["template"][variable] = field(value, "str", name=variable, display_name=variable, field_type="str",
                                           input_types=["Message"], multiline=True, advanced=False,
                                           dynamic=False, required=False, fileTypes=[], file_path="",
                                           info="", load_from_db=False, placeholder="", title_case=False)
    return built


def prompt_flow(name: str = "Prompted") -> dict[str, Any]:
    """Chat Input -> Prompt (`You said: {question}`) -> Chat Output: no model, all starter nodes."""
    said, answer = chat_input("ChatInput-prompt"), chat_output("ChatOutput-prompt")
    prompt = prompt_node("Prompt-prompt", "You said: {question}", question="")
    return export(name, [said, prompt, answer], [starters.wire(said, "message", prompt, "question"),
                                                 starters.wire(prompt, "prompt", answer, "input_value")],
                  description="Puts the chat message into a prompt and answers with it.")


def memory_chatbot(name: str = "Memory Chatbot without a model") -> dict[str, Any]:
    """Message History (as a table) -> Type Convert -> Prompt with the chat message -> Chat Output:
    the prompt a model would be sent shows the conversation so far."""
    prompt = prompt_node("Prompt-chat", "{context}\n\nUser: {user_message}\nAI: ", context="", user_message="")
    said, answer = chat_input("ChatInput-chat"), chat_output("ChatOutput-chat")
    memory = node("Memory-chat", "Memory", {
        "memory": field("", "other", input_types=["Memory"]), "message": "", "mode": field("Retrieve", "tab"),
        "n_messages": field(100, "int"), "order": "Ascending", "sender": "Machine and User", "sender_name": "",
        "session_id": "", "template": "{sender_name}: {text}"}, outputs=("dataframe",), display_name="Message History")
    memory["data"]["node"]["outputs"] = [{"name": "dataframe", "types": ["DataFrame"],
                                          "method": "retrieve_messages_dataframe"}]
    convert = node("TypeConverterComponent-chat", "TypeConverterComponent", {
        "input_data": field("", "other", input_types=["Message", "Data", "DataFrame"]),
        "output_type": field("Message", "tab")}, outputs=("message_output",), display_name="Type Convert")
    # Langflow's order: the prompt's node first, so Chat Input (and its stored message) comes before History.
    return export(name, [prompt, said, answer, memory, convert], [
        starters.wire(memory, "dataframe", convert, "input_data"),
        starters.wire(convert, "message_output", prompt, "context"),
        starters.wire(said, "message", prompt, "user_message"),
        starters.wire(prompt, "prompt", answer, "input_value"),
    ], description="Shows the prompt a model would get: the conversation so far and the new message.")


def sender_flow(name: str = "Named sender") -> dict[str, Any]:
    """Chat Input -> Chat Output, whose sender name comes from a Text Input (`AI`)."""
    said, answer = chat_input("ChatInput-api"), chat_output("ChatOutput-api")
    sender = node("TextInput-api", "TextInput", {"input_value": field("AI", "str", input_types=["Message"])},
                  outputs=("text",), display_name="Text Input")
    return export(name, [said, sender, answer], [starters.wire(sender, "text", answer, "sender_name"),
                                                 starters.wire(said, "message", answer, "input_value")],
                  description="Answers with the chat message, under the sender name a Text Input gives.")


def legacy_flow(name: str = "Langflow 0.x chain") -> dict[str, Any]:
    """A Langflow 0.x export: LangChain objects wired by constructor argument, with `Type|field|id` handles."""
    def langchain(node_id: str, node_type: str, template: dict[str, Any], base_classes: list[str]) -> dict[str, Any]:
        return {"id": node_id, "type": "genericNode", "data": {"id": node_id, "type": node_type, "node": {
            "template": {**template, "_type": node_type}, "base_classes": base_classes, "description": node_type}}}

    chain = langchain("node_chain", "ConversationChain", {
        "llm": {"type": "BaseLanguageModel", "required": True, "show": True, "list": False},
        "memory": {"type": "BaseChatMemory", "required": False, "show": True, "list": False}},
        ["ConversationChain", "LLMChain", "Chain"])
    llm = langchain("node_llm", "OpenAI", {"model_name": {"type": "str", "value": "text-davinci-003", "show": True}},
                    ["BaseLLM", "OpenAI", "BaseLanguageModel"])
    edges = [{"source": "node_llm", "target": "node_chain",
              "sourceHandle": "OpenAI|node_llm|BaseLLM|OpenAI|BaseLanguageModel",
              "targetHandle": "BaseLanguageModel|llm|node_chain"}]
    return {"name": name, "description": "", "data": {"nodes": [chain, llm], "edges": edges}}


def custom_code_node(node_id: str, node_type: str, inputs: tuple[str, ...], output: str) -> dict[str, Any]:
    """A node whose behaviour is the Python source it carries (a custom component): Sluice never runs it."""
    built = node(node_id, node_type, {name: "" for name in inputs}, outputs=(output,))
    built["data"]["node"]["template"]["code"] = field("from lfx.custom import Component\n", "code")
    return built


def webhook_custom_flow(name: str = "Webhook into custom code") -> dict[str, Any]:
    """A Webhook feeding two custom-code components, beside a Chat Input -> Chat Output."""
    said, answer = chat_input("ChatInput-hook"), chat_output("ChatOutput-hook")
    hook = node("Webhook-hook", "Webhook", {"data": field("", "str", multiline=True)}, outputs=("output_data",))
    first = custom_code_node("CustomComponent-first", "CustomComponent", ("input_value",), "output")
    second = custom_code_node("CustomComponent-second", "CustomComponent", ("input_value",), "output")
    return export(name, [first, hook, said, answer, second], [
        edge("Webhook-hook", "output_data", "CustomComponent-first", "input_value"),
        starters.wire(said, "message", answer, "input_value"),
        edge("CustomComponent-first", "output", "CustomComponent-second", "input_value"),
    ], description="A webhook whose data goes through two custom components.")


def secret_flow(name: str = "Environment variable") -> dict[str, Any]:
    """A custom-code `Secret` component (it reads an environment variable) -> Chat Output."""
    secret = custom_code_node("Secret-env", "Secret", ("secret_key_input",), "text")
    answer = chat_output("ChatOutput-env")
    return export(name, [secret, answer], [starters.wire(secret, "text", answer, "input_value")],
                  description="Answers with an environment variable read by a custom component.")


def sequence_loop_flow(count: int = 10, name: str = "Loop over a sequence") -> dict[str, Any]:
    """A sequence of `{"q": n}` items goes round a Loop (`THIS IS Q ==> {q}` each pass); the done table is
    zipped with the sequence itself. The sequence and the zip are installed test components."""
    sequence = node("SluiceTestSequence-seq", "SluiceTestSequence", {"count": field(count, "int")}, outputs=("output",))
    zipper = node("SluiceTestZip-zip", "SluiceTestZip", {"list1": field("", "other"), "list2": field("", "other")},
                  outputs=("output",))
    return export(name, [
        zipper, sequence, loop_node("LoopComponent-seq"),
        node("MessagetoData-seq", "MessagetoData", {"message": ""}, outputs=("data",)),
        node("ParseData-seq", "ParseData", {"data": "", "sep": "\n", "template": "THIS IS Q ==> {q}"},
             outputs=("text", "data_list")),
        node("ChatOutput-loop", "ChatOutput", {"input_value": ""}),
    ], [
        edge("SluiceTestSequence-seq", "output", "LoopComponent-seq", "data"),
        loop_back("MessagetoData-seq", "data", "LoopComponent-seq"),
        edge("LoopComponent-seq", "item", "ParseData-seq", "data"),
        edge("ParseData-seq", "text", "MessagetoData-seq", "message"),
        edge("SluiceTestSequence-seq", "output", "SluiceTestZip-zip", "list2"),
        edge("LoopComponent-seq", "done", "SluiceTestZip-zip", "list1"),
        edge("SluiceTestZip-zip", "output", "ChatOutput-loop", "input_value"),
    ], description="Loops over a sequence and pairs each pass with its item.")


def project_flows() -> dict[str, dict[str, Any]]:
    """The project's own whole flows, by file-like name: the demo and the exports built here to stand for
    the kinds of flow people upload (the small shapes above are tested on their own)."""
    built = [echo_flow(), prompt_flow(), memory_chatbot(), sender_flow(), legacy_flow(), webhook_custom_flow(),
             secret_flow(), sequence_loop_flow()]
    flows = {f"{flow['name']}.json": flow for flow in built}
    flows["demo/echo.json"] = load(DEMO_FLOWS / "echo.json")
    return flows


def corpus() -> dict[str, dict[str, Any]]:
    """Every starter of the pinned Langflow wheel (`starters/…`) and the project's flows (`project/…`)."""
    return ({f"starters/{name}": starters.load(name) for name in starters.names()}
            | {f"project/{name}": flow for name, flow in project_flows().items()})


def tokens_flow(delay: float = 0.0, name: str = "Tokens") -> dict[str, Any]:
    """ChatInput -> SluiceTestTokens (one `token` event per word, `delay` apart) -> ChatOutput."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("Tokens-1", "SluiceTestTokens", {"delay": field(delay, "float"), "input_value": ""},
                 outputs=("text",)),
            node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
        ],
        [edge("ChatInput-in", "message", "Tokens-1", "input_value"),
         edge("Tokens-1", "text", "ChatOutput-out", "input_value")],
    )


def loop_back(source: str, output: str, loop: str, loop_output: str = "item") -> dict[str, Any]:
    """The edge that feeds a Loop's `item` output back (its target handle names an output, no field)."""
    return {
        "source": source,
        "target": loop,
        "data": {
            "sourceHandle": {"id": source, "name": output, "output_types": ["Data"]},
            "targetHandle": {"id": loop, "name": loop_output, "output_types": ["Data"], "dataType": "LoopComponent"},
        },
    }


def loop_node(node_id: str = "LoopComponent-L") -> dict[str, Any]:
    """A Langflow 1.10+ Loop: `item` allows the loop, `done` is a table."""
    built = node(node_id, "LoopComponent", {"data": field("", "other")}, outputs=("item", "done"))
    built["data"]["node"]["outputs"] = [
        {"name": "item", "types": ["Data", "JSON"], "allows_loop": True},
        {"name": "done", "types": ["DataFrame", "Table"], "allows_loop": False},
    ]
    return built


def loop_flow(name: str = "Loop") -> dict[str, Any]:
    """Chat text split at commas; each piece goes round the loop as `item <piece>`; the done table is joined."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("SplitText-s", "SplitText", {"data_inputs": "", "separator": ",", "chunk_size": field(1, "int"),
                                              "chunk_overlap": field(0, "int"), "text_key": "text"},
                 outputs=("dataframe",)),
            loop_node(),
            node("ParseData-p", "ParseData", {"data": "", "template": "item {text}", "sep": "\n"},
                 outputs=("text", "data_list")),
            node("MessagetoData-m", "MessagetoData", {"message": ""}, outputs=("data",)),
            node("ParserComponent-j", "ParserComponent", {"input_data": "", "mode": "Parser", "pattern": "{text}",
                                                          "sep": " | "}, outputs=("parsed_text",)),
            node("ChatOutput-out", "ChatOutput", {"input_value": ""}),
        ],
        [
            edge("ChatInput-in", "message", "SplitText-s", "data_inputs"),
            edge("SplitText-s", "dataframe", "LoopComponent-L", "data"),
            edge("LoopComponent-L", "item", "ParseData-p", "data"),
            edge("ParseData-p", "text", "MessagetoData-m", "message"),
            loop_back("MessagetoData-m", "data", "LoopComponent-L"),
            edge("LoopComponent-L", "done", "ParserComponent-j", "input_data"),
            edge("ParserComponent-j", "parsed_text", "ChatOutput-out", "input_value"),
        ],
    )


def if_else_flow(name: str = "IfElse") -> dict[str, Any]:
    """Chat text compared by an If-Else; true goes straight out, false through CombineText to its own output."""
    return export(
        name,
        [
            node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}),
            node("ConditionalRouter-r", "ConditionalRouter",
                 {"input_text": "", "match_text": "", "operator": "equals",
                  "case_sensitive": field(False, "bool"), "message": field("", "other")},
                 outputs=("true_result", "false_result")),
            node("ChatOutput-yes", "ChatOutput", {"input_value": ""}),
            node("CombineText-c", "CombineText", {"text1": "", "text2": "(no)", "delimiter": " "},
                 outputs=("combined_text",)),
            node("ChatOutput-no", "ChatOutput", {"input_value": ""}),
        ],
        [
            edge("ChatInput-in", "message", "ConditionalRouter-r", "input_text"),
            edge("ConditionalRouter-r", "true_result", "ChatOutput-yes", "input_value"),
            edge("ConditionalRouter-r", "false_result", "CombineText-c", "text1"),
            edge("CombineText-c", "combined_text", "ChatOutput-no", "input_value"),
        ],
    )
