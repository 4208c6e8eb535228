"""Where a command finds its database: `DATABASE_URL`, else the one `sluice up` recorded here.

`sluice up` (what `make run` runs) writes the URL of its embedded PostgreSQL to `.data/database-url`
(mode 600: the URL carries the server's password), so `sluice keys create` and the other commands
work beside it with nothing to set. The file stays after `sluice up` stops, so a command then says
which database it tried rather than that none is configured.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import attrs

DATABASE_FILE = "database-url"
SECRET_KEY_FILE = "secret-key"


class NoDatabase(Exception):
    """Neither DATABASE_URL nor a database recorded by `sluice up` in this directory."""


@attrs.frozen
class Database:
    url: str = attrs.field(repr=False)
    # Where the URL came from: "DATABASE_URL", or the file `sluice up` wrote.
    source: str

    def describe(self) -> str:
        return f"{redacted(self.url)} (from {self.source})"


def data_dir() -> Path:
    """`make run` starts from the checkout, so its data lands in the checkout's git-ignored `.data/`."""
    return Path(os.environ.get("SLUICE_DATA_DIR") or Path.cwd() / ".data")


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, never readable by others even for a moment."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    partial.replace(path)


def record(url: str) -> Path:
    """Remember where `sluice up`'s embedded database listens."""
    path = data_dir() / DATABASE_FILE
    write_private(path, url + "\n")
    return path


def find() -> Database:
    url = os.environ.get("DATABASE_URL")
    if url:
        return Database(url, "DATABASE_URL")
    path = data_dir() / DATABASE_FILE
    if path.exists():
        return Database(path.read_text().strip(), str(path))
    raise NoDatabase(
        f"No database to use: set DATABASE_URL to a PostgreSQL URL, or start `make run` (`sluice up`) "
        f"in this directory, which records its database in {path}.")


def secret_key(database: Database) -> str | None:
    """SLUICE_SECRET_KEY, else, for the database of `sluice up`, the key it keeps beside it."""
    given = os.environ.get("SLUICE_SECRET_KEY")
    if given or database.source == "DATABASE_URL":
        return given or None
    path = data_dir() / SECRET_KEY_FILE
    return path.read_text().strip() if path.exists() else None


def redacted(url: str) -> str:
    """The URL with its password masked, fit for a terminal or a log."""
    # A password given as a parameter (libpq keyword strings, or `?password=` in a URL).
    url = re.sub(r"(password\s*=\s*)('[^']*'|[^\s&]+)", r"\1***", url)
    parts = urlsplit(url)
    if "://" not in url or parts.password is None:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}"))
