"""Langflow's starter flows, taken from the pinned `langflow-base` wheel on PyPI.

The wheel is downloaded once (`pip download --no-deps`) and its starter exports are extracted into
`.cache/langflow/` of the repository (git-ignored); later runs read the extracted files. The tests and
the benchmarks both use this module, so it needs the standard library only. Its nodes carry the
`code` Langflow embeds, which is what lets lfx run flows built from them.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

VERSION = "1.13.0"
PACKAGE = f"langflow-base=={VERSION}"
WHEEL = f"langflow_base-{VERSION}-*.whl"
MEMBERS = "langflow/initial_setup/starter_projects/"
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "langflow"
FOLDER = CACHE / f"langflow-base-{VERSION}" / "starter_projects"


def folder() -> Path:
    """The folder of extracted starter exports, fetching the wheel the first time."""
    if not FOLDER.is_dir():
        _extract(_download())
    return FOLDER


def _download() -> Path:
    wheels = CACHE / "wheels"
    found = sorted(wheels.glob(WHEEL))
    if found:
        return found[0]
    wheels.mkdir(parents=True, exist_ok=True)
    fetched = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--dest", str(wheels), PACKAGE],
        capture_output=True, text=True, check=False,
    )
    found = sorted(wheels.glob(WHEEL))
    if fetched.returncode != 0 or not found:
        raise RuntimeError(f"Could not download {PACKAGE} from PyPI for its starter flows: {fetched.stderr.strip()}")
    return found[0]


def _extract(wheel: Path) -> None:
    # Extracted beside the destination, then renamed into place: a concurrent run sees all or nothing.
    FOLDER.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=FOLDER.parent, prefix=".extracting-"))
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(MEMBERS) and member.endswith(".json") and "/" not in member[len(MEMBERS):]:
                    (staging / member[len(MEMBERS):]).write_bytes(archive.read(member))
        try:
            os.rename(staging, FOLDER)
        except OSError:
            if not FOLDER.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def names() -> list[str]:
    """The starters' file names, e.g. `Basic Prompting.json`."""
    return sorted(path.name for path in folder().glob("*.json"))


@functools.cache
def _read(name: str) -> dict[str, Any]:
    return json.loads((folder() / name).read_text())


def load(name: str) -> dict[str, Any]:
    """A starter export (a fresh copy), by file name."""
    return copy.deepcopy(_read(name))


def node(node_type: str, node_id: str, **values: Any) -> dict[str, Any]:
    """The first node of `node_type` in the starters (in name order), renamed `node_id`, with field values set."""
    for name in names():
        for raw in _read(name)["data"]["nodes"]:
            if raw.get("data", {}).get("type") == node_type:
                built = copy.deepcopy(raw)
                built["id"] = built["data"]["id"] = node_id
                template = built["data"]["node"]["template"]
                for field, value in values.items():
                    template[field]["value"] = value
                return built
    raise LookupError(f"No starter of {PACKAGE} has a {node_type} node.")


def wire(source: dict[str, Any], output: str, target: dict[str, Any], field: str) -> dict[str, Any]:
    """An edge from `source`'s output to `target`'s field, with the handles Langflow writes for it."""
    outputs = {out["name"]: out for out in source["data"]["node"]["outputs"]}
    spec = target["data"]["node"]["template"][field]
    source_handle = {"dataType": source["data"]["type"], "id": source["id"], "name": output,
                     "output_types": list(outputs[output].get("types", []))}
    target_handle = {"fieldName": field, "id": target["id"], "inputTypes": spec.get("input_types"),
                     "type": spec.get("type", "str")}
    return {"id": f"edge-{source['id']}-{output}-{target['id']}-{field}", "source": source["id"],
            "target": target["id"], "data": {"sourceHandle": source_handle, "targetHandle": target_handle}}
