"""Structured Output: the model extracts objects matching `output_schema` from the input, by a call
of a tool named for the output model that the request forces (`tool_choice`), as Langflow does.

An answer without such a call fails the job with Langflow's error rather than passing on a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine import llm, structured
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import DataFrame, to_text


class StructuredOutput(Component):
    secret_fields = llm.KEY_FIELDS

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        model = llm.model_from_params(params, context.settings, node_type=node.type)
        rows = structured.schema_rows(params.get("output_schema"))
        if not rows:
            raise ComponentError("Output schema cannot be empty")
        tool = structured.extraction_tool(rows, to_text(params.get("schema_name")) or "OutputModel")
        # The prompt goes as it is: the schema travels in the tool, whose call the model is made to make.
        conversation = llm.conversation(to_text(params.get("system_prompt")), to_text(params.get("input_value")))
        reply = await llm.chat(llm.client(context, model), model, conversation, tools=[tool],
                               tool_choice=structured.forced(tool), stream=False)
        calls = [call for call in reply.tool_calls if call.name == tool["function"]["name"]]
        if not calls:
            raise ComponentError("No structured output returned")
        objects = structured.called_objects(calls[0].arguments)
        return {"structured_output": structured.as_data(objects), "dataframe_output": DataFrame(tuple(objects))}
