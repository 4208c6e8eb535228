"""Image Generation: a picture from a prompt, through an OpenAI-compatible `/images/generations`.

Langflow's core ships no image model component, so this node type is Sluice's own. The result is
an `image` output: `{"url"}` for a hosted image, or a `data:` URI when the endpoint returns bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sluice.engine import llm
from sluice.engine.component import Component, ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.outputs import TypedContent
from sluice.engine.values import to_text

DEFAULT_SIZE = "1024x1024"


class ImageGeneration(Component):
    secret_fields = llm.KEY_FIELDS

    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        prompt = to_text(params.get("prompt") or params.get("input_value")).strip()
        if not prompt:
            raise ComponentError("the prompt is empty.")
        model = llm.model_from_params(params, context.settings, node_type=node.type,
                                      default="SLUICE_DEFAULT_IMAGE_MODEL")
        size = to_text(params.get("size")).strip() or DEFAULT_SIZE
        image = (await llm.generate_images(llm.client(context, model), model, prompt, size=size, n=1))[0]
        content: Any = image if image.startswith("data:") else {"url": image}
        return {"image": TypedContent("image", content, {"model": model.name, "size": size})}
