"""Langflow's starter exports, read from the pinned `langflow-base` wheel (downloaded once from PyPI
with `pip download --no-deps` into .bench/cache, git-ignored)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = "langflow-base==1.13.0"
CACHE = Path(__file__).resolve().parents[2] / ".bench" / "cache"
MEMBERS = "langflow/initial_setup/starter_projects/"


@cache
def wheel() -> Path:
    found = sorted(CACHE.glob("langflow_base-1.13.0-*.whl"))
    if not found:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--dest", str(CACHE), PACKAGE], check=True)
        found = sorted(CACHE.glob("langflow_base-1.13.0-*.whl"))
    return found[0]


def load(name: str) -> dict[str, Any]:
    """A starter export by its name, e.g. `Simple Agent`."""
    with zipfile.ZipFile(wheel()) as archive:
        return json.loads(archive.read(f"{MEMBERS}{name}.json"))


def node(node_type: str) -> dict[str, Any]:
    """The first node of `node_type` among the starters (name order), as exported."""
    with zipfile.ZipFile(wheel()) as archive:
        for member in sorted(archive.namelist()):
            if member.startswith(MEMBERS) and member.endswith(".json"):
                for raw in json.loads(archive.read(member))["data"]["nodes"]:
                    if raw.get("data", {}).get("type") == node_type:
                        return raw
    raise LookupError(f"no starter of {PACKAGE} has a {node_type} node")
