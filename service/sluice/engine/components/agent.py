"""Agent: the tool-calling loop on the OpenAI tools API.

The model sees the system prompt, the input and the tools (the nodes wired to `tools` in tool mode,
plus the calculator and current-date tools when switched on). Each answer that calls tools gets the
tools' results back, until the model answers in text or `max_iterations` model calls are spent.
`structured_response` asks for JSON matching `output_schema`, as Langflow's Agent does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from sluice.engine import llm, registry, structured, tools
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Field, Node
from sluice.engine.values import Data, Message, to_text

DEFAULT_MAX_ITERATIONS = 15
DEFAULT_HISTORY = 100

# What Langflow's Agent sends when its input is empty.
EMPTY_INPUT = "Continue the conversation."
# The built-in tools, after the connected ones and in this order, as Langflow's Agent adds them:
# (switch, node type, tool name, description, (argument, its description, its default)).
_BUILT_IN = (
    ("add_current_date_tool", "CurrentDate", "get_current_date",
     "Returns the current date and time in the selected timezone.",
     ("timezone", "Select the timezone for the current date and time.", "UTC")),
    ("add_calculator_tool", "CalculatorComponent", "evaluate_expression",
     "Perform basic arithmetic operations on a given expression.",
     ("expression", "The arithmetic expression to evaluate (e.g., '4*4*(33/22)+12-20').", "")),
)


class Agent(Component):
    secret_fields = llm.KEY_FIELDS

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        model = llm.model_from_params(params, context.settings, node_type=node.type)
        connected = _connected_tools(params.get("tools"))
        # As in Langflow, a built-in tool gives way to a connected tool of the same name.
        taken = {tool.name for tool in connected}
        offered = tools.unique([*connected, *(t for t in _built_in_tools(node, params) if t.name not in taken)])
        system = _instructions(to_text(params.get("system_prompt")), model, params)
        given = to_text(params.get("input_value"))
        question = given if given.strip() else EMPTY_INPUT
        history = await _history(params, context, given)
        # Langflow's Agent always streams, asking for the usage figures at the end.
        loop = _Loop(model, offered, _positive(params.get("max_iterations"), DEFAULT_MAX_ITERATIONS), context,
                     llm.token_sink(params, context, node.id) or _ignore)
        produced: dict[str, Any] = {}
        if node.wants("response"):
            answer = await loop.answer(llm.conversation(system, question, history,
                                                        images=llm.images_in(params.get("input_value"))))
            produced["response"] = Message(text=answer, sender="Machine", sender_name="AI", usage=loop.usage.as_dict())
        if node.wants("structured_response"):
            produced["structured_response"] = await _structured(loop, params, system, given, history)
        return produced


class _Loop:
    def __init__(self, model: llm.ChatModel, offered: Sequence[tools.Tool], max_iterations: int,
                 context: RunContext, on_token: llm.TokenSink | None) -> None:
        self.model = model
        self.tools = {tool.name: tool for tool in offered}
        self.specs = [tool.spec() for tool in offered]
        self.max_iterations = max_iterations
        self.context = context
        self.on_token = on_token
        # Tokens of every model call the loop made, for the response's metadata.
        self.usage = llm.Usage()

    async def answer(self, messages: list[dict[str, Any]], **request: Any) -> str:
        for _ in range(self.max_iterations):
            reply = await llm.chat(llm.client(self.context, self.model), self.model, messages, tools=self.specs,
                                   on_token=self.on_token, stream_options={"include_usage": True}, **request)
            self.usage += reply.usage
            if not reply.tool_calls:
                return reply.content
            messages.append(reply.as_message())
            results = await asyncio.gather(*(self._call(call) for call in reply.tool_calls))
            messages.extend({"role": "tool", "tool_call_id": call.id, "content": result}
                            for call, result in zip(reply.tool_calls, results, strict=True))
        raise ComponentError(f"the agent reached max_iterations ({self.max_iterations}) without a final answer.")

    async def _call(self, call: llm.ToolCall) -> str:
        tool = self.tools.get(call.name)
        if tool is None:
            return f"Error: there is no tool named {call.name!r}."
        try:
            arguments = orjson.loads(call.arguments or "{}")
        except orjson.JSONDecodeError:
            return f"Error: the arguments for {call.name} are not valid JSON."
        if not isinstance(arguments, Mapping):
            return f"Error: the arguments for {call.name} must be a JSON object."
        return await tool.call(arguments, self.context)


async def _structured(loop: _Loop, params: Mapping[str, Any], system: str, given: str,
                      history: Sequence[Mapping[str, Any]]) -> Data:
    """As Langflow's Agent: without tools the model's JSON-schema mode on the instructions and the
    input alone; with tools the agent's loop, the schema in its instructions. An answer that is not
    such JSON is a Data naming the error (the flow carries on), as in Langflow."""
    rows = structured.schema_rows(params.get("output_schema"))
    if not rows:
        return Data({"content": given})
    if loop.specs:
        prompt = structured.agent_instructions(system, to_text(params.get("format_instructions")), rows)
        answer = await loop.answer(llm.conversation(prompt, given if given.strip() else EMPTY_INPUT, history))
    else:
        answer = await loop.answer(llm.conversation(system, given),
                                   response_format=structured.agent_response_format(rows))
    try:
        return structured.as_data(structured.parse_objects(answer))
    except ComponentError as error:
        return Data({"content": "", "error": str(error)})


def _connected_tools(value: Any) -> list[tools.Tool]:
    """The tools delivered on the `tools` field: one list per tool-mode node (or a single tool)."""
    found: list[tools.Tool] = []
    for item in value if isinstance(value, list | tuple) else [value]:
        if isinstance(item, tools.Tool):
            found.append(item)
        elif isinstance(item, list | tuple):
            found.extend(tool for tool in item if isinstance(tool, tools.Tool))
    return found


def _built_in_tools(node: Node, params: Mapping[str, Any]) -> list[tools.Tool]:
    offered = []
    for switch, node_type, name, description, (argument, explanation, default) in _BUILT_IN:
        component = registry.find(node_type)
        if params.get(switch) is not True or component is None:
            continue
        tool_node = Node(id=f"{node.id}:{name}", type=node_type, display_name=name,
                         fields={argument: Field(name=argument, value=default)})
        offered.append(tools.Tool(
            name=name, description=description, node=tool_node, component=component,
            params={argument: default},
            parameters={"properties": {argument: {"default": default, "description": explanation, "type": "string"}},
                        "type": "object"},
        ))
    return offered


async def _history(params: Mapping[str, Any], context: RunContext, question: str) -> list[dict[str, Any]]:
    """The session's earlier turns (up to `n_messages`), where the worker keeps message history."""
    limit = params.get("n_messages")
    limit = DEFAULT_HISTORY if limit is None else limit
    if not isinstance(limit, int) or limit <= 0:
        return []
    # Stored newest first; the model reads the conversation oldest first.
    messages = list(reversed(await context.history.recent(context.owner, context.session_id, limit + 1)))
    # Chat Input stores the current message before the Agent runs: it is the question, not history.
    if messages and messages[-1].sender == "User" and messages[-1].text == question:
        messages.pop()
    return [{"role": "assistant" if message.sender == "Machine" else "user", "content": message.text}
            for message in messages[-limit:]]


def _instructions(prompt: str, model: llm.ChatModel, params: Mapping[str, Any]) -> str:
    """The Agent Instructions with Langflow's placeholders filled (by plain replacement, so other braces
    stay as they are): today's date (UTC), the model's name, and no user context."""
    # Langflow names a connected model by its client class; Sluice's speaks OpenAI's protocol.
    name = "ChatOpenAI" if isinstance(params.get("model"), llm.ChatModel) else model.name
    for placeholder, value in (("{current_date}", datetime.now(UTC).date().isoformat()), ("{model_name}", name),
                               ("{optional_user_context}", "")):
        prompt = prompt.replace(placeholder, value)
    return prompt


def _ignore(chunk: str) -> None:
    return None


def _positive(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
