"""Language Model and OpenAI: one chat completion, and the configured model for an Agent to use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine import llm
from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Message, to_text


class LanguageModel(Component):
    """Serves LanguageModelComponent and every provider's model node (OpenAIModel, AnthropicModel...):
    they differ only in how they name the provider, the model and its endpoint."""

    secret_fields = llm.KEY_FIELDS

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        model = llm.model_from_params(params, context.settings, node_type=node.type)
        produced: dict[str, Any] = {"model_output": model}
        if node.wants("text_output"):
            question = params.get("input_value")
            messages = llm.conversation(to_text(params.get("system_message")), to_text(question),
                                        images=llm.images_in(question))
            sink = llm.token_sink(params, context, node.id)
            # Langflow's Language Model says `"stream": false` when it does not stream.
            reply = await llm.chat(llm.client(context, model), model, messages, on_token=sink,
                                   **({} if sink else {"stream": False}))
            produced["text_output"] = Message(text=reply.content, sender="Machine", sender_name="AI",
                                              usage=reply.usage.as_dict())
        return produced
