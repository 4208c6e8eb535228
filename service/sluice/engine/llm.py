"""The model interface components use: which model a node's fields choose, and one call to it.

A node's provider (see sluice/engine/models/providers.py) chooses the wire protocol, the endpoint and
the key's variable; `chat`, `embed` and `generate_images` speak that protocol (one module each under
sluice/engine/models/, imported on first use), try again what is safe to try again
(sluice/engine/models/retry.py), and count the tokens used. An empty model is SLUICE_DEFAULT_MODEL,
as Langflow's global model setting does for exported starters.

The worker's credentials go only where the operator pointed them. At a provider's operator endpoint
(its `*_BASE_URL`, else the provider's own) the key is the node's field, else the provider's key
variable (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`...). An endpoint a flow or a run names gets only the
key the flow itself supplies (its field, or the owner's variable), never one the operator configured,
and is reached through the network policy (`context.public_http`), as API Request is.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from sluice.config import Settings
from sluice.engine.errors import ComponentError
from sluice.engine.models import providers, retry, usage
from sluice.engine.models.chat import DEFAULT_TIMEOUT, ChatModel, Embeddings, Reply, TokenSink, ToolCall, Usage
from sluice.engine.models.providers import AZURE, Provider
from sluice.engine.values import Message

if TYPE_CHECKING:
    from sluice.engine.context import RunContext

__all__ = ["DEFAULT_TIMEOUT", "ChatModel", "Embeddings", "Reply", "TokenSink", "ToolCall", "Usage"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Fields of model nodes that name the endpoint (OpenAIModel's `openai_api_base`, Azure's `azure_endpoint`...).
BASE_URL_FIELDS = ("openai_api_base", "base_url", "api_base", "mistral_api_base", "azure_endpoint", "api_url",
                   "ollama_base_url", "endpoint")
# Fields holding a model's key: a component that calls a model declares them secret.
KEY_FIELDS = frozenset({"api_key", "openai_api_key", "mistral_api_key"})
# Request keys a node's free-form `model_kwargs` may not replace.
RESERVED_KEYS = {"model", "messages", "stream", "tools", "n", "api_key"}
_PROTOCOL_MODULES = {providers.OPENAI: "openai_api", AZURE: "openai_api", providers.ANTHROPIC: "anthropic_api",
                     providers.GEMINI: "gemini_api", providers.OLLAMA: "ollama_api", providers.COHERE: "cohere_api"}
# What each setting is called among the settings, for the error that names it.
_DEFAULTS = {"SLUICE_DEFAULT_MODEL": "default_model", "SLUICE_DEFAULT_IMAGE_MODEL": "default_image_model",
             "SLUICE_DEFAULT_EMBEDDING_MODEL": "default_embedding_model"}


def token_sink(params: Mapping[str, Any], context: RunContext, component_id: str) -> TokenSink | None:
    """When the node's `stream` is on: records each chunk as a `token` event of the job."""
    if params.get("stream") is not True:
        return None
    return lambda chunk: context.emit("token", {"component_id": component_id, "chunk": chunk})


def model_from_params(params: Mapping[str, Any], settings: Settings | None = None, *, node_type: str = "",
                      default: str = "SLUICE_DEFAULT_MODEL") -> ChatModel:
    """The model a node's fields configure, or ComponentError when none is configured anywhere.

    `default` names the setting that gives the model when the node leaves it empty.
    """
    connected = params.get("model")
    if isinstance(connected, ChatModel):
        return connected
    settings = settings or Settings(database_url="")
    provider = providers.for_node(node_type, params)
    name = (_text(params.get("azure_deployment")) if provider.protocol == AZURE else "") \
        or _text(params.get("model_name")) or model_name(connected) or getattr(settings, _DEFAULTS[default])
    if not name:
        raise ComponentError(f"no model is configured: set the node's model, or {default} for the workers.")
    base_url, api_key, operator = _endpoint(provider, params, settings)
    return ChatModel(
        name=name, base_url=base_url, api_key=api_key,
        timeout=_positive(params.get("timeout")) or settings.model_timeout, settings=_settings(params),
        operator_endpoint=operator, provider=provider.name, protocol=provider.protocol,
        api_version=_text(params.get("api_version")) or settings.provider_variables.get("AZURE_OPENAI_API_VERSION", ""),
        retries=settings.model_retries,
    )


def _endpoint(provider: Provider, params: Mapping[str, Any], settings: Settings) -> tuple[str, str, bool]:
    """(base URL, key, whether it is the operator's endpoint) for a node of `provider`."""
    configured = settings.provider_variables
    operator_url = (configured.get(provider.url_variable) or provider.default_url).rstrip("/")
    chosen = next((_text(params.get(f)) for f in BASE_URL_FIELDS if _text(params.get(f))), "").rstrip("/")
    api_key = next((_text(params.get(f)) for f in sorted(KEY_FIELDS) if _text(params.get(f))), "")
    # A base URL that Langflow's node carries by default means the provider's endpoint, wherever the
    # operator has pointed it.
    if chosen and chosen != operator_url and chosen not in provider.exported_urls:
        if api_key and api_key in configured.values():
            raise ComponentError(f"the model endpoint {chosen} was chosen by the flow: a key from the worker's "
                                 "environment is sent only to the endpoint the operator configured.")
        return chosen, api_key, False
    if not operator_url:
        raise ComponentError(f"{provider.name} has no endpoint: set the node's endpoint, or {provider.url_variable} "
                             "for the workers.")
    if provider.local and not configured.get(provider.url_variable):
        # A local default the operator did not choose is the worker's own loopback: reached under the
        # network policy, like any address a flow names, and never with the operator's key.
        return operator_url, api_key, False
    return operator_url, api_key or configured.get(provider.key_variable, ""), True


def embedding_model_from_params(params: Mapping[str, Any], settings: Settings | None = None, *,
                                node_type: str = "") -> ChatModel:
    """The embedding model an embeddings node configures (`dimensions` asked for where given)."""
    model = model_from_params(params, settings, node_type=node_type, default="SLUICE_DEFAULT_EMBEDDING_MODEL")
    dimensions = params.get("dimensions")
    if isinstance(dimensions, int) and not isinstance(dimensions, bool) and dimensions > 0:
        model = attrs.evolve(model, settings={**model.settings, "dimensions": dimensions})
    return model


def client(context: RunContext, model: ChatModel) -> httpx.AsyncClient:
    """The HTTP client for the model's endpoint: unguarded only for the one the operator configured.

    A key the worker's environment lent this run (SLUICE_ENV_VARIABLES) goes to no endpoint a flow chose.
    """
    if model.operator_endpoint:
        return context.http
    if model.api_key and model.api_key in context.lent_values():
        raise ComponentError(f"the model endpoint {model.base_url} was chosen by the flow: a key from the "
                             "worker's environment is sent only to the endpoint the operator configured.")
    return context.public_http


def model_name(value: Any) -> str:
    """A model name from Langflow's list form (`[{"name", "provider", ...}]`), a dict, or plain text."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, Mapping):
        value = value.get("name")
    return _text(value)


def unsupported(node_type: str, params: Mapping[str, Any]) -> str | None:
    """Why a model node cannot run (it names a provider Sluice does not speak), or None."""
    return providers.unsupported_reason(node_type) or providers.unsupported_reason(providers.named_provider(params))


def _settings(params: Mapping[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    extra = params.get("model_kwargs")
    if isinstance(extra, Mapping):
        settings.update({k: v for k, v in extra.items() if k not in RESERVED_KEYS})
    for name in ("temperature", "top_p"):
        value = params.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            settings[name] = value
    for name, setting in (("max_tokens", "max_tokens"), ("max_output_tokens", "max_tokens"), ("top_k", "top_k")):
        value = params.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            settings[setting] = value  # 0 means no limit, as in Langflow
    for name in providers.OLLAMA_OPTIONS:
        value = params.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            settings[name] = value
    seed = params.get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool):
        settings["seed"] = seed
    if params.get("json_mode") is True or _text(params.get("format")) == "json":
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


def conversation(system: str, user: str, history: Sequence[Mapping[str, Any]] = (),
                 images: Sequence[str] = ()) -> list[dict[str, Any]]:
    """System prompt (if any), earlier turns, then the user's message (with its images: `data:` URIs
    or URLs), as chat-completions messages."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    messages.extend(dict(turn) for turn in history)
    content: Any = user
    if images:
        content = [{"type": "text", "text": user},
                   *({"type": "image_url", "image_url": {"url": url}} for url in images)]
    messages.append({"role": "user", "content": content})
    return messages


def images_in(value: Any) -> tuple[str, ...]:
    """The images a node's input message carries (a Chat Input's files)."""
    return value.files if isinstance(value, Message) else ()


def _protocol(model: ChatModel) -> ModuleType:
    return importlib.import_module(f"sluice.engine.models.{_PROTOCOL_MODULES[model.protocol]}")


async def chat(client: httpx.AsyncClient, model: ChatModel, messages: Sequence[Mapping[str, Any]], *,
               tools: Sequence[Mapping[str, Any]] = (), on_token: TokenSink | None = None,
               **request: Any) -> Reply:
    """One chat completion. With `on_token` the answer is streamed and each text chunk handed to it.

    `request` holds further chat-completions fields (`tool_choice`, `response_format`...); each
    protocol sends what its provider has an equivalent for.
    """
    protocol = _protocol(model)
    if not hasattr(protocol, "chat"):
        raise ComponentError(f"{model.provider} serves no chat models in Sluice.")
    streamed: list[str] = []

    def passed_on(chunk: str) -> None:
        streamed.append(chunk)
        on_token(chunk)  # type: ignore[misc]

    async def attempt() -> Reply:
        try:
            return await protocol.chat(client, model, messages, tools, passed_on if on_token else None, request)
        except retry.ProviderError as error:
            # Tokens already recorded cannot be taken back: a stream that broke off is not tried again.
            error.retryable = error.retryable and not streamed
            raise

    reply = await retry.retrying(attempt, model.retries)
    usage.record(model, reply.usage)
    return reply


async def embed(client: httpx.AsyncClient, model: ChatModel, texts: Sequence[str]) -> Embeddings:
    """One vector per text, in order, from the model's provider."""
    protocol = _protocol(model)
    if not hasattr(protocol, "embed"):
        raise ComponentError(f"{model.provider} serves no embedding models in Sluice.")
    if not texts:
        return Embeddings(())
    embeddings = await retry.retrying(lambda: protocol.embed(client, model, list(texts)), model.retries)
    if len(embeddings.vectors) != len(texts):
        raise ComponentError(f"the model endpoint {model.base_url} answered {len(embeddings.vectors)} embeddings "
                             f"for {len(texts)} texts.")
    usage.record(model, embeddings.usage)
    return embeddings


async def generate_images(client: httpx.AsyncClient, model: ChatModel, prompt: str, **request: Any) -> list[str]:
    """Images from an OpenAI-compatible `/images/generations`: each a URL or a `data:` URI."""
    protocol = _protocol(model)
    if not hasattr(protocol, "generate_images"):
        raise ComponentError(f"{model.provider} serves no image models in Sluice.")
    return await retry.retrying(lambda: protocol.generate_images(client, model, prompt, request), model.retries)
