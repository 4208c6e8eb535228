"""Settings: every knob an operator can turn, declared once each (variable, type, default, meaning).

`Settings.from_env()` reads them from the environment; a value that does not parse is refused with
a sentence naming the variable and the value. The README's configuration tables list exactly these
variables (a test holds the two together).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import attrs

MiB = 1024 * 1024


class InvalidSetting(SystemExit):
    """An environment variable holds a value its setting cannot take: the process cannot start."""


def _boolean(raw: str) -> bool:
    text = raw.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _names(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _integer(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError("expected a whole number") from None


def _number(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError("expected a number") from None


def _positive(parse: Callable[[str], float]) -> Callable[[str], Any]:
    def parsed(raw: str) -> Any:
        value = parse(raw)
        if not value > 0:
            raise ValueError("expected a number above 0")
        return value
    return parsed


def _text(raw: str) -> str:
    return raw


def _whole(raw: str) -> int:
    value = _integer(raw)
    if value < 0:
        raise ValueError("expected a whole number, 0 or more")
    return value


def setting(env: str, default: Any, parse: Callable[[str], Any], doc: str, *, secret: bool = False) -> Any:
    """One setting: the environment variable `env`, read with `parse`; empty or unset means `default`."""
    return attrs.field(default=default, repr=not secret, metadata={"env": env, "parse": parse, "doc": doc})


# Never lent to a flow from the environment, whatever SLUICE_ENV_VARIABLES says: Sluice's own settings
# (its database, its secret key, where it listens) and libpq's (PGPASSWORD and the like).
_OWN_SETTINGS = ("DATABASE_URL",)
_OWN_PREFIXES = ("SLUICE_", "PG")


def is_own_setting(name: str) -> bool:
    upper = name.upper()
    return upper in _OWN_SETTINGS or upper.startswith(_OWN_PREFIXES)


@attrs.frozen
class Settings:
    database_url: str = setting("DATABASE_URL", "", _text, "PostgreSQL to use (`make run` starts an embedded one)",
                                secret=True)
    # The one LISTEN connection per process needs a session: behind a transaction-mode pooler
    # (PgBouncer) point this straight at PostgreSQL; the pools may go through the pooler.
    listen_url: str = setting("SLUICE_LISTEN_DATABASE_URL", "", _text,
                              "session connection for LISTEN (default: `DATABASE_URL`)", secret=True)
    port: int = setting("SLUICE_PORT", 7860, _integer, "the API's port")
    host: str = setting("SLUICE_HOST", "127.0.0.1", _text, "the address the API listens on")
    pool_size: int = setting("SLUICE_POOL_SIZE", 10, _positive(_integer), "database connections per API process")
    lease_seconds: float = setting("SLUICE_LEASE_SECONDS", 30.0, _positive(_number),
                                   "a claimed job's lease; renewed once a third of it has passed, while the job runs")
    poll_interval: float = setting("SLUICE_POLL_INTERVAL", 1.0, _positive(_number),
                                   "workers' polling fallback when no NOTIFY arrives (at most 1 s)")
    max_attempts: int = setting("SLUICE_MAX_ATTEMPTS", 3, _positive(_integer),
                                "claims of a job whose worker keeps getting lost, before `error`")
    sync_timeout: float = setting("SLUICE_SYNC_TIMEOUT", 300.0, _positive(_number),
                                  "a sync run answers 408 after this; the job keeps running")
    developer_api: bool = setting("SLUICE_DEVELOPER_API", True, _boolean,
                                  "`false` turns the `/api/v2/workflows` routes off")
    max_body_bytes: int = setting("SLUICE_MAX_BODY_BYTES", 10 * MiB, _positive(_integer),
                                  "larger request bodies get 413")
    shutdown_grace: float = setting("SLUICE_SHUTDOWN_GRACE", 30.0, _positive(_number),
                                    "after SIGTERM: how long running jobs and open requests may finish")
    job_timeout: float = setting("SLUICE_JOB_TIMEOUT", 3600.0, _positive(_number),
                                 "a job's maximum run time (a flow may set a lower one)")
    retention_days: float = setting("SLUICE_RETENTION_DAYS", 30.0, _positive(_number),
                                    "finished jobs, their events and files are deleted this many days later")
    retention_interval: float = setting("SLUICE_RETENTION_INTERVAL", 300.0, _positive(_number),
                                        "how often workers look for jobs to delete")
    stream_keepalive: float = setting("SLUICE_STREAM_KEEPALIVE_SECONDS", 15.0, _positive(_number),
                                      "an idle event stream sends a comment this often")
    secret_key: str | None = setting("SLUICE_SECRET_KEY", None, _text,
                                     "encrypts variables (at least 16 characters)", secret=True)
    allowed_hosts: tuple[str, ...] = setting("SLUICE_ALLOWED_HOSTS", (), _names,
                                             "non-public hosts components may reach (never Sluice's database)")
    env_variables: tuple[str, ...] = setting("SLUICE_ENV_VARIABLES", (), _names,
                                             "worker environment variables a model's key field may name")
    fetch_max_bytes: int = setting("SLUICE_FETCH_MAX_BYTES", 10 * MiB, _positive(_integer),
                                   "an HTTP response body (after decompression)")
    sql_timeout: float = setting("SLUICE_SQL_TIMEOUT", 30.0, _positive(_number), "an SQL component's statement")
    sql_max_rows: int = setting("SLUICE_SQL_MAX_ROWS", 10_000, _positive(_integer), "rows an SQL component returns")
    file_max_bytes: int = setting("SLUICE_FILE_MAX_BYTES", 10 * MiB, _positive(_integer),
                                  "a file SaveToFile writes, or an owner uploads")
    # Langflow's LANGFLOW_WEBHOOK_AUTH_ENABLE. Off, a caller without a key may run any flow it names by id.
    webhook_auth: bool = setting("SLUICE_WEBHOOK_AUTH_ENABLE", True, _boolean,
                                 "`false`: the v1 webhook runs a flow named by id without an API key")
    default_model: str = setting("SLUICE_DEFAULT_MODEL", "", _text, "the model of a model node that names none")
    default_image_model: str = setting("SLUICE_DEFAULT_IMAGE_MODEL", "", _text,
                                       "the model of an image node that names none")
    default_embedding_model: str = setting("SLUICE_DEFAULT_EMBEDDING_MODEL", "", _text,
                                           "the model of an embeddings node that names none")
    model_timeout: float = setting("SLUICE_MODEL_TIMEOUT", 120.0, _positive(_number),
                                   "one model call's answer (a node's `timeout` may change it)")
    model_retries: int = setting("SLUICE_MODEL_RETRIES", 4, _whole,
                                 "retries of a model call that got 429, 5xx or no connection")
    # The operator's keys and endpoints for model providers, under Langflow's variable names
    # (OPENAI_API_KEY, ANTHROPIC_BASE_URL...): read once, from the names in PROVIDER_VARIABLES.
    provider_variables: Mapping[str, str] = attrs.field(factory=dict, repr=False, metadata={"env": None})

    def __attrs_post_init__(self) -> None:
        if not self.listen_url:
            object.__setattr__(self, "listen_url", self.database_url)
        # A lost NOTIFY must never delay a job by more than a second.
        object.__setattr__(self, "poll_interval", min(self.poll_interval, 1.0))

    def offers_environment(self, name: str) -> bool:
        """Whether a flow's secret field may take the worker's environment variable `name`."""
        return name in self.env_variables and not is_own_setting(name)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, *, need_database: bool = True) -> Settings:
        """The settings the environment gives; InvalidSetting names a variable whose value is wrong."""
        values: dict[str, Any] = {}
        for field in _settings():
            raw = env.get(field.metadata["env"], "")
            if raw.strip():
                values[field.name] = _parsed(field, raw)
        if need_database and not values.get("database_url"):
            raise SystemExit("DATABASE_URL is not set: point it at PostgreSQL, or use `make run`.")
        values["provider_variables"] = {name: env[name] for name in PROVIDER_VARIABLES if env.get(name, "").strip()}
        return cls(**values)


def _parsed(field: attrs.Attribute, raw: str) -> Any:
    try:
        return field.metadata["parse"](raw)
    except ValueError as error:
        shown = "(hidden)" if not field.repr else repr(raw)
        raise InvalidSetting(f"{field.metadata['env']}={shown} is not a valid value: {error}.") from None


def _settings() -> list[attrs.Attribute]:
    return [field for field in attrs.fields(Settings) if field.metadata.get("env")]


def declared() -> list[tuple[str, Any, str]]:
    """(variable, default, meaning) of every setting, for documentation."""
    return [(field.metadata["env"], field.default, field.metadata["doc"]) for field in _settings()]


# Langflow's global-variable names for model providers' keys and endpoints; the engine's provider
# registry (sluice/engine/models/providers.py) says which provider uses which, and a test holds the two
# together. Only these are read, so a tenant's flow can name no other variable of the worker this way.
PROVIDER_VARIABLES = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL",
    "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_VERSION",
    "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
    "GOOGLE_API_KEY", "GOOGLE_BASE_URL",
    "OLLAMA_API_KEY", "OLLAMA_BASE_URL",
    "GROQ_API_KEY", "GROQ_BASE_URL",
    "MISTRAL_API_KEY", "MISTRAL_BASE_URL",
    "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL",
    "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",
    "XAI_API_KEY", "XAI_BASE_URL",
    "NVIDIA_API_KEY", "NVIDIA_BASE_URL",
    "SAMBANOVA_API_KEY", "SAMBANOVA_BASE_URL",
    "PERPLEXITY_API_KEY", "PERPLEXITY_BASE_URL",
    "LMSTUDIO_API_KEY", "LMSTUDIO_BASE_URL",
    "COHERE_API_KEY", "COHERE_BASE_URL",
)
