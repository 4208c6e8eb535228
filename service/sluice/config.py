"""Settings, read once from the environment. Every knob an operator can turn is listed here."""

from __future__ import annotations

import os

import attrs


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if not raw:
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


@attrs.frozen
class Settings:
    database_url: str
    port: int = 7860
    host: str = "127.0.0.1"
    lease_seconds: float = 30.0
    poll_interval: float = 1.0
    max_attempts: int = 3
    sync_timeout: float = 300.0
    developer_api: bool = True
    max_body_bytes: int = 10 * 1024 * 1024
    pool_size: int = 10
    # After SIGTERM: how long a worker lets running jobs finish before handing them back to the
    # queue, and how long the API keeps answering open requests.
    shutdown_grace: float = 30.0
    # A job's maximum run time; a flow may set a lower one (its `timeout_seconds`).
    job_timeout: float = 3600.0
    # Finished jobs, their events and files are deleted this many days after they finished;
    # workers look for them every `retention_interval` seconds.
    retention_days: float = 30.0
    retention_interval: float = 300.0
    # The one LISTEN connection per process needs a session: behind a transaction-mode pooler
    # (PgBouncer) point this straight at PostgreSQL; the pools may go through the pooler.
    listen_url: str = attrs.field(default=attrs.Factory(lambda self: self.database_url, takes_self=True))
    # An idle event stream sends a comment this often, so proxies do not close it.
    stream_keepalive: float = 15.0
    # Encrypts stored global variables and per-run header variables. Kept out of repr and logs.
    secret_key: str | None = attrs.field(default=None, repr=False)
    # Hosts, addresses or networks (CIDR) that flow components may reach although they are private.
    allowed_hosts: tuple[str, ...] = ()
    # Caps on what one component may pull in: an HTTP response body, an SQL result, a saved file.
    fetch_max_bytes: int = 10 * 1024 * 1024
    sql_timeout: float = 30.0
    sql_max_rows: int = 10_000
    file_max_bytes: int = 10 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Settings:
        url = os.environ.get("DATABASE_URL")
        if not url:
            raise SystemExit("DATABASE_URL is not set: point it at PostgreSQL, or use `make run`.")
        return cls(
            database_url=url,
            port=_env_int("SLUICE_PORT", 7860),
            host=os.environ.get("SLUICE_HOST", "127.0.0.1"),
            lease_seconds=_env_float("SLUICE_LEASE_SECONDS", 30.0),
            poll_interval=min(_env_float("SLUICE_POLL_INTERVAL", 1.0), 1.0),
            max_attempts=_env_int("SLUICE_MAX_ATTEMPTS", 3),
            sync_timeout=_env_float("SLUICE_SYNC_TIMEOUT", 300.0),
            developer_api=_env_bool("SLUICE_DEVELOPER_API", True),
            max_body_bytes=_env_int("SLUICE_MAX_BODY_BYTES", 10 * 1024 * 1024),
            pool_size=_env_int("SLUICE_POOL_SIZE", 10),
            shutdown_grace=_env_float("SLUICE_SHUTDOWN_GRACE", 30.0),
            job_timeout=_env_float("SLUICE_JOB_TIMEOUT", 3600.0),
            retention_days=_env_float("SLUICE_RETENTION_DAYS", 30.0),
            retention_interval=_env_float("SLUICE_RETENTION_INTERVAL", 300.0),
            listen_url=os.environ.get("SLUICE_LISTEN_DATABASE_URL") or url,
            stream_keepalive=_env_float("SLUICE_STREAM_KEEPALIVE_SECONDS", 15.0),
            secret_key=os.environ.get("SLUICE_SECRET_KEY") or None,
            allowed_hosts=_env_list("SLUICE_ALLOWED_HOSTS"),
            fetch_max_bytes=_env_int("SLUICE_FETCH_MAX_BYTES", 10 * 1024 * 1024),
            sql_timeout=_env_float("SLUICE_SQL_TIMEOUT", 30.0),
            sql_max_rows=_env_int("SLUICE_SQL_MAX_ROWS", 10_000),
            file_max_bytes=_env_int("SLUICE_FILE_MAX_BYTES", 10 * 1024 * 1024),
        )
