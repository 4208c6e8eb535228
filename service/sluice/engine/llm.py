"""An OpenAI-compatible chat-completions client over httpx, and how a node's fields choose the model.

Every model component speaks this one protocol: a provider that is not OpenAI is reached through an
OpenAI-compatible endpoint (a gateway, a local server). The endpoint is the node's base URL field,
else `OPENAI_BASE_URL`, else OpenAI's; an empty model is `SLUICE_DEFAULT_MODEL`, as Langflow's global
model setting does for exported starters.

The worker's credentials go only where the operator pointed them. At the operator's endpoint
(`OPENAI_BASE_URL`, else OpenAI's) the key is the node's field, else `OPENAI_API_KEY`. An endpoint a
flow or a run names gets only the key the flow itself supplies (its field, or the owner's variable),
never a value from the worker's environment, and is reached through the network policy
(`context.public_http`), as API Request is.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import httpx
import orjson

from sluice.engine.component import ComponentError
from sluice.engine.outputs import Handle

if TYPE_CHECKING:
    from sluice.engine.context import RunContext

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 120.0
# Fields of model nodes that name the endpoint (OpenAIModel's `openai_api_base`, others' `base_url`).
BASE_URL_FIELDS = ("openai_api_base", "base_url", "api_base")
# Fields holding a model's key: a component that calls a model declares them secret.
KEY_FIELDS = frozenset({"api_key"})
# Request keys a node's free-form `model_kwargs` may not replace.
RESERVED_KEYS = {"model", "messages", "stream", "tools", "n"}

TokenSink = Callable[[str], None]


@attrs.frozen
class ChatModel(Handle):
    """A configured model: what a `model_output` edge carries to an Agent or Structured Output."""

    name: str
    base_url: str
    api_key: str = attrs.field(repr=False)
    timeout: float = DEFAULT_TIMEOUT
    # Extra request fields: temperature, max_tokens, seed, response_format.
    settings: Mapping[str, Any] = attrs.field(factory=dict)
    # False when a flow or a run chose the endpoint: then it is reached under the network policy.
    operator_endpoint: bool = True

    def summary(self) -> dict[str, Any]:
        return {"model": self.name, "base_url": self.base_url}


@attrs.frozen
class ToolCall:
    id: str
    name: str
    arguments: str


@attrs.frozen
class Reply:
    content: str
    tool_calls: tuple[ToolCall, ...] = ()

    def as_message(self) -> dict[str, Any]:
        """The assistant turn to append to the conversation before the tool results."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                for call in self.tool_calls
            ]
        return message


def token_sink(params: Mapping[str, Any], context: RunContext, component_id: str) -> TokenSink | None:
    """When the node's `stream` is on: records each chunk as a `token` event of the job."""
    if params.get("stream") is not True:
        return None
    return lambda chunk: context.emit("token", {"component_id": component_id, "chunk": chunk})


def model_from_params(params: Mapping[str, Any], env: Mapping[str, str] = os.environ,
                      default: str = "SLUICE_DEFAULT_MODEL") -> ChatModel:
    """The model a node's fields configure, or ComponentError when none is configured anywhere.

    `default` names the environment variable that gives the model when the node leaves it empty.
    """
    connected = params.get("model")
    if isinstance(connected, ChatModel):
        return connected
    name = _text(params.get("model_name")) or model_name(connected) or env.get(default, "")
    if not name:
        raise ComponentError(f"no model is configured: set the node's model, or {default} for the workers.")
    operator_url = (env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    chosen = next((_text(params.get(f)) for f in BASE_URL_FIELDS if _text(params.get(f))), "").rstrip("/")
    api_key = _text(params.get("api_key"))
    timeout = _positive(params.get("timeout")) or _positive(env.get("SLUICE_MODEL_TIMEOUT")) or DEFAULT_TIMEOUT
    if chosen and chosen != operator_url:
        if api_key and api_key in env.values():
            raise ComponentError(f"the model endpoint {chosen} was chosen by the flow: a key from the worker's "
                                 "environment is sent only to the endpoint the operator configured.")
        return ChatModel(name, chosen, api_key, timeout, _settings(params), operator_endpoint=False)
    return ChatModel(name, operator_url, api_key or env.get("OPENAI_API_KEY", ""), timeout, _settings(params))


def client(context: RunContext, model: ChatModel) -> httpx.AsyncClient:
    """The HTTP client for the model's endpoint: unguarded only for the one the operator configured."""
    return context.http if model.operator_endpoint else context.public_http


def model_name(value: Any) -> str:
    """A model name from Langflow's list form (`[{"name", "provider", ...}]`), a dict, or plain text."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, Mapping):
        value = value.get("name")
    return _text(value)


def _settings(params: Mapping[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    extra = params.get("model_kwargs")
    if isinstance(extra, Mapping):
        settings.update({k: v for k, v in extra.items() if k not in RESERVED_KEYS and k != "api_key"})
    temperature = params.get("temperature")
    if isinstance(temperature, int | float) and not isinstance(temperature, bool):
        settings["temperature"] = temperature
    max_tokens = params.get("max_tokens")
    if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > 0:
        settings["max_tokens"] = max_tokens  # 0 means no limit, as in Langflow
    seed = params.get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool):
        settings["seed"] = seed
    if params.get("json_mode") is True:
        settings["response_format"] = {"type": "json_object"}
    return settings


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _positive(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def conversation(system: str, user: str, history: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """System prompt (if any), earlier turns, then the user's message, as chat-completions messages."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    messages.extend(dict(turn) for turn in history)
    messages.append({"role": "user", "content": user})
    return messages


async def chat(client: httpx.AsyncClient, model: ChatModel, messages: Sequence[Mapping[str, Any]], *,
               tools: Sequence[Mapping[str, Any]] = (), on_token: TokenSink | None = None,
               **request: Any) -> Reply:
    """One chat completion. With `on_token` the answer is streamed and each text chunk handed to it."""
    body: dict[str, Any] = {"model": model.name, "messages": list(messages), **model.settings, **request}
    if tools:
        body["tools"] = list(tools)
    if on_token is not None:
        body["stream"] = True
    url, headers, timeout = _target(model, "/chat/completions")
    with _reaching(model):
        if on_token is None:
            response = await client.post(url, json=body, headers=headers, timeout=timeout)
            _check(model, response)
            return _reply(model, _json(model, response.content))
        async with client.stream("POST", url, json=body, headers=headers, timeout=timeout) as response:
            if response.status_code >= 400:
                await response.aread()
                _check(model, response)
            return await _streamed(model, response, on_token)


async def generate_images(client: httpx.AsyncClient, model: ChatModel, prompt: str, **request: Any) -> list[str]:
    """Images from an OpenAI-compatible `/images/generations`: each a URL or a `data:` URI."""
    body = {"model": model.name, "prompt": prompt, **request}
    url, headers, timeout = _target(model, "/images/generations")
    with _reaching(model):
        response = await client.post(url, json=body, headers=headers, timeout=timeout)
    _check(model, response)
    images = []
    for item in _json(model, response.content).get("data") or ():
        if isinstance(item, Mapping) and isinstance(item.get("url"), str):
            images.append(item["url"])
        elif isinstance(item, Mapping) and isinstance(item.get("b64_json"), str):
            images.append("data:image/png;base64," + item["b64_json"])
    if not images:
        raise ComponentError(f"the image endpoint {model.base_url} returned no image.")
    return images


async def embed(client: httpx.AsyncClient, model: ChatModel, texts: Sequence[str]) -> list[list[float]]:
    """One vector per text, in order, from an OpenAI-compatible `/embeddings`."""
    if not texts:
        return []
    url, headers, timeout = _target(model, "/embeddings")
    with _reaching(model):
        response = await client.post(url, json={"model": model.name, "input": list(texts)}, headers=headers,
                                     timeout=timeout)
    _check(model, response)
    try:
        items = sorted(_json(model, response.content)["data"], key=lambda item: item["index"])
        vectors = [[float(number) for number in item["embedding"]] for item in items]
    except (KeyError, TypeError, ValueError):
        raise ComponentError(f"the model endpoint {model.base_url} sent an answer that is not a list of "
                             "embeddings.") from None
    if len(vectors) != len(texts):
        raise ComponentError(f"the model endpoint {model.base_url} answered {len(vectors)} embeddings for "
                             f"{len(texts)} texts.")
    return vectors


@contextlib.contextmanager
def _reaching(model: ChatModel) -> Iterator[None]:
    """Turns transport failures into errors that name the endpoint (and never the key)."""
    try:
        yield
    except httpx.TimeoutException:
        raise ComponentError(f"the model endpoint {model.base_url} did not answer within {model.timeout:g} s.") \
            from None
    except httpx.HTTPError as error:
        raise ComponentError(f"could not reach the model endpoint {model.base_url}: {error}.") from None


def _target(model: ChatModel, path: str) -> tuple[str, dict[str, str], httpx.Timeout]:
    """URL, headers and timeout of one request to the model's endpoint."""
    headers = {"Authorization": f"Bearer {model.api_key}"} if model.api_key else {}
    return model.base_url + path, headers, httpx.Timeout(model.timeout, connect=min(model.timeout, 10.0))


def _check(model: ChatModel, response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    detail = ""
    try:
        error = orjson.loads(response.content).get("error")
        detail = error.get("message", "") if isinstance(error, Mapping) else str(error or "")
    except (orjson.JSONDecodeError, AttributeError):
        detail = response.text[:200]
    raise ComponentError(
        f"the model endpoint {model.base_url} answered {response.status_code}"
        + (f": {detail}" if detail else ".")
    )


def _json(model: ChatModel, content: bytes) -> Mapping[str, Any]:
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        document = None
    if not isinstance(document, Mapping):
        raise ComponentError(f"the model endpoint {model.base_url} did not answer with a JSON object.")
    return document


def _reply(model: ChatModel, document: Mapping[str, Any]) -> Reply:
    try:
        message = document["choices"][0]["message"]
        calls = tuple(
            ToolCall(id=str(call.get("id") or f"call_{index}"), name=call["function"]["name"],
                     arguments=call["function"].get("arguments") or "{}")
            for index, call in enumerate(message.get("tool_calls") or ())
        )
        return Reply(content=message.get("content") or "", tool_calls=calls)
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ComponentError(f"the model endpoint {model.base_url} sent an answer that is not a chat completion.") \
            from None


async def _streamed(model: ChatModel, response: httpx.Response, on_token: TokenSink) -> Reply:
    """Read a server-sent-events completion, passing text chunks on and assembling tool calls."""
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        try:
            delta = orjson.loads(payload)["choices"][0].get("delta") or {}
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError):
            continue  # keep-alives and usage-only chunks carry no choice
        chunk = delta.get("content")
        if isinstance(chunk, str) and chunk:
            text.append(chunk)
            on_token(chunk)
        for part in delta.get("tool_calls") or ():
            call = calls.setdefault(int(part.get("index", len(calls))), {"id": "", "name": "", "arguments": ""})
            function = part.get("function") or {}
            call["id"] = part.get("id") or call["id"]
            call["name"] += function.get("name") or ""
            call["arguments"] += function.get("arguments") or ""
    tool_calls = tuple(
        ToolCall(id=call["id"] or f"call_{index}", name=call["name"], arguments=call["arguments"] or "{}")
        for index, call in sorted(calls.items())
    )
    return Reply(content="".join(text), tool_calls=tool_calls)
