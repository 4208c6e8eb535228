"""What every protocol speaks in: a configured model, and a model's reply with its tool calls and usage.

Conversations are chat-completions messages (system, user, assistant with `tool_calls`, tool with
`tool_call_id`; image parts as `image_url`), whatever the provider: the components and the Agent's
tool loop build them once, and each protocol module translates them to its own wire format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import orjson

from sluice.engine.outputs import Handle

DEFAULT_TIMEOUT = 120.0
DEFAULT_RETRIES = 4

TokenSink = Callable[[str], None]


@attrs.frozen
class ChatModel(Handle):
    """A configured model: what a `model_output` edge carries to an Agent or Structured Output."""

    name: str
    base_url: str
    api_key: str = attrs.field(repr=False)
    timeout: float = DEFAULT_TIMEOUT
    # Extra request fields, in chat-completions names: temperature, max_tokens, seed, response_format.
    settings: Mapping[str, Any] = attrs.field(factory=dict)
    # False when a flow or a run chose the endpoint: then it is reached under the network policy.
    operator_endpoint: bool = True
    provider: str = "OpenAI"
    protocol: str = "openai"
    # Azure OpenAI's `api-version` query parameter.
    api_version: str = ""
    # How often a call that got 429, 5xx or no connection is tried again.
    retries: int = DEFAULT_RETRIES

    def summary(self) -> dict[str, Any]:
        return {"model": self.name, "provider": self.provider, "base_url": self.base_url}


@attrs.frozen
class ToolCall:
    id: str
    name: str
    arguments: str


@attrs.frozen
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)

    def as_dict(self) -> dict[str, int]:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "total_tokens": self.input_tokens + self.output_tokens}


@attrs.frozen
class Reply:
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()

    def as_message(self) -> dict[str, Any]:
        """The assistant turn to append to the conversation before the tool results."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                for call in self.tool_calls
            ]
        return message


@attrs.frozen
class Embeddings:
    vectors: tuple[tuple[float, ...], ...]
    usage: Usage = Usage()


def inline_image(url: str) -> tuple[str, str] | None:
    """(media type, base64 data) of a `data:` image URL, or None for a URL to fetch."""
    head, comma, data = url.partition(",")
    if not (url.startswith("data:") and comma and head.endswith(";base64")):
        return None
    return head[5:-7] or "image/png", data


def text_of(content: Any) -> str:
    """The text of a chat-completions message content: a string, or the text of its parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text") or "" for part in content
                       if isinstance(part, Mapping) and part.get("type") == "text")
    return ""


def arguments_of(call: Mapping[str, Any]) -> dict[str, Any]:
    """A chat-completions tool call's arguments as an object (the protocols that send them so)."""
    try:
        arguments = orjson.loads((call.get("function") or {}).get("arguments") or "{}")
    except orjson.JSONDecodeError:
        return {}
    return arguments if isinstance(arguments, dict) else {}
