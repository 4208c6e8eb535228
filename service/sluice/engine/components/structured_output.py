"""Structured Output: the model extracts JSON matching `output_schema` from the input.

An answer that is not such JSON fails the job with a clear error rather than passing on a guess.
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
        rows = structured.schema_rows(params.get("output_schema"))
        if not rows:
            raise ComponentError("the output schema is empty: add at least one field.")
        model = llm.model_from_params(params, context.settings, node_type=node.type)
        system = structured.instructions(to_text(params.get("system_prompt")), rows)
        name = to_text(params.get("schema_name")) or "OutputModel"
        conversation = llm.conversation(system, to_text(params.get("input_value")))
        reply = await llm.chat(llm.client(context, model), model, conversation,
                               response_format=structured.response_format(rows, name))
        objects = structured.parse_objects(reply.content)
        return {"structured_output": structured.as_data(objects), "dataframe_output": DataFrame(tuple(objects))}
