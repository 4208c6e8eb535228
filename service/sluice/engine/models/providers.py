"""Which provider a model node means, and what that provider is: protocol, endpoint, key variable.

A node names its provider in one of four ways, as Langflow's do: the unified `model` input
(`[{"name", "provider", ...}]`), LanguageModelComponent's `provider`, the Agent's `agent_llm`, or its
own node type (`AnthropicModel`, `GroqModel`...). Each provider is spoken in its own wire protocol;
the OpenAI-compatible ones share OpenAI's at their own default base URL.

The operator configures a provider through Langflow's variable names: its key (`ANTHROPIC_API_KEY`)
and, to point it elsewhere (a gateway, a test server), its endpoint (`ANTHROPIC_BASE_URL`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from sluice.engine.errors import ComponentError

# Wire protocols, one module each under sluice/engine/models/.
OPENAI, AZURE, ANTHROPIC, GEMINI, OLLAMA, COHERE = "openai", "azure", "anthropic", "gemini", "ollama", "cohere"


@attrs.frozen
class Provider:
    name: str
    protocol: str
    default_url: str
    key_variable: str
    url_variable: str
    # Node types that mean this provider: chat models, then embedding models.
    node_types: tuple[str, ...] = ()
    embedding_types: tuple[str, ...] = ()
    # Base URLs Langflow's own nodes carry by default: an export holding one means the default endpoint.
    exported_urls: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def local(self) -> bool:
        """Whether the default endpoint is on the worker's own machine (Ollama, LM Studio)."""
        return self.default_url.startswith(("http://localhost", "http://127.0.0.1"))


PROVIDERS = (
    Provider("OpenAI", OPENAI, "https://api.openai.com/v1", "OPENAI_API_KEY", "OPENAI_BASE_URL",
             ("OpenAIModel",), ("OpenAIEmbeddings",), ("https://api.openai.com/v1",)),
    Provider("Azure OpenAI", AZURE, "", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT",
             ("AzureOpenAIModel",), ("AzureOpenAIEmbeddings",)),
    Provider("Anthropic", ANTHROPIC, "https://api.anthropic.com", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
             ("AnthropicModel",), (), ("https://api.anthropic.com",)),
    Provider("Google Generative AI", GEMINI, "https://generativelanguage.googleapis.com", "GOOGLE_API_KEY",
             "GOOGLE_BASE_URL", ("GoogleGenerativeAIModel",), ("Google Generative AI Embeddings",),
             ("https://generativelanguage.googleapis.com",), ("Google",)),
    Provider("Ollama", OLLAMA, "http://localhost:11434", "OLLAMA_API_KEY", "OLLAMA_BASE_URL",
             ("OllamaModel",), ("OllamaEmbeddings",), ("http://localhost:11434", "http://127.0.0.1:11434")),
    Provider("Groq", OPENAI, "https://api.groq.com/openai/v1", "GROQ_API_KEY", "GROQ_BASE_URL",
             ("GroqModel",), (), ("https://api.groq.com", "https://api.groq.com/openai/v1")),
    Provider("Mistral", OPENAI, "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "MISTRAL_BASE_URL",
             ("MistralModel",), ("MistalAIEmbeddings",), ("https://api.mistral.ai/v1",), ("MistralAI",)),
    Provider("DeepSeek", OPENAI, "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL",
             ("DeepSeekModelComponent",), (), ("https://api.deepseek.com", "https://api.deepseek.com/v1")),
    Provider("OpenRouter", OPENAI, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",
             ("OpenRouterComponent",), (), ("https://openrouter.ai/api/v1",)),
    Provider("xAI", OPENAI, "https://api.x.ai/v1", "XAI_API_KEY", "XAI_BASE_URL",
             ("xAIModel",), (), ("https://api.x.ai/v1",)),
    Provider("NVIDIA", OPENAI, "https://integrate.api.nvidia.com/v1", "NVIDIA_API_KEY", "NVIDIA_BASE_URL",
             ("NVIDIAModelComponent",), (), ("https://integrate.api.nvidia.com/v1",)),
    Provider("SambaNova", OPENAI, "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY", "SAMBANOVA_BASE_URL",
             ("SambaNovaModel",), (), ("https://api.sambanova.ai/v1",)),
    Provider("Perplexity", OPENAI, "https://api.perplexity.ai", "PERPLEXITY_API_KEY", "PERPLEXITY_BASE_URL",
             ("PerplexityModel",), (), ("https://api.perplexity.ai",)),
    Provider("LM Studio", OPENAI, "http://localhost:1234/v1", "LMSTUDIO_API_KEY", "LMSTUDIO_BASE_URL",
             ("LMStudioModel",), (), ("http://localhost:1234/v1", "http://localhost:1234")),
    Provider("Cohere", COHERE, "https://api.cohere.com", "COHERE_API_KEY", "COHERE_BASE_URL",
             (), ("CohereEmbeddings",), ("https://api.cohere.com",)),
)

# Ollama's own sampling options, which OllamaModel nodes carry as fields of these names.
OLLAMA_OPTIONS = ("num_ctx", "num_gpu", "num_thread", "repeat_last_n", "repeat_penalty", "tfs_z", "mirostat_eta",
                  "mirostat_tau")

# Providers Langflow offers that Sluice does not speak: a flow naming one is refused at upload.
UNSUPPORTED = {"Amazon Bedrock": "Amazon Bedrock", "IBM watsonx.ai": "IBM watsonx.ai", "IBM WatsonX": "IBM watsonx.ai",
               "Azure AI Foundry": "Azure AI Foundry"}
UNSUPPORTED_TYPES = {"AmazonBedrockModel": "Amazon Bedrock", "AmazonBedrockConverseModel": "Amazon Bedrock",
                     "AmazonBedrockEmbeddings": "Amazon Bedrock", "IBMwatsonxModel": "IBM watsonx.ai",
                     "WatsonxEmbeddingsComponent": "IBM watsonx.ai"}

_BY_NAME = {key.lower(): p for p in PROVIDERS for key in (p.name, *p.aliases)}
_BY_TYPE = {node_type: p for p in PROVIDERS for node_type in (*p.node_types, *p.embedding_types)}
# Nodes whose type names no provider: the provider comes from their fields, else OpenAI.
_FIELDS = ("provider", "agent_llm")


class UnsupportedProvider(ComponentError):
    """A node names a provider that Sluice does not speak (Bedrock, watsonx) or does not know."""


def by_name(name: str) -> Provider:
    found = _BY_NAME.get(name.strip().lower())
    if found is None:
        raise UnsupportedProvider(unsupported_reason(name) or f"the model provider {name!r} is not one Sluice knows.")
    return found


def unsupported_reason(name: str) -> str | None:
    """Why a provider name cannot be used, or None when Sluice speaks it."""
    refused = UNSUPPORTED.get(name.strip()) or UNSUPPORTED_TYPES.get(name.strip())
    if refused:
        return f"the model provider {refused} is not supported by Sluice; use another provider for this node."
    return None


def for_node(node_type: str, params: Mapping[str, Any]) -> Provider:
    """The provider a node means: its own type, else the provider its model or provider field names."""
    if node_type in _BY_TYPE:
        return _BY_TYPE[node_type]
    named = named_provider(params)
    return by_name(named) if named else _BY_NAME["openai"]


def named_provider(params: Mapping[str, Any]) -> str:
    """The provider a node's fields name ("" when none does); the unified `model` input wins."""
    model = params.get("model")
    if isinstance(model, list | tuple) and model:
        model = model[0]
    if isinstance(model, Mapping) and isinstance(model.get("provider"), str) and model["provider"].strip():
        return model["provider"].strip()
    for field in _FIELDS:
        value = params.get(field)
        if isinstance(value, str) and value.strip() and value.strip() != "Custom":
            return value.strip()
    return ""


def variables() -> frozenset[str]:
    """Every variable a provider is configured through, for the settings that read them."""
    named = {name for p in PROVIDERS for name in (p.key_variable, p.url_variable)}
    return frozenset({*named, "AZURE_OPENAI_API_VERSION"})
