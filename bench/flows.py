"""The flows the benchmarks run, as files both Sluice and lfx can read.

They are the test suite's (tests/flowkit.py), built from the nodes of the starter flows in the pinned
Langflow wheel, so every node carries the code lfx runs. Written once under `.cache/langflow/bench/`.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from bench.procs import REPOSITORY

FOLDER = REPOSITORY / ".cache" / "langflow" / "bench"


def tests_module(name: str) -> Any:
    """A module of the test suite's flow builders (`flowkit`, `starters`): one source of flows."""
    tests = str(REPOSITORY / "tests")
    if tests not in sys.path:
        sys.path.append(tests)
    return importlib.import_module(name)


def _flowkit() -> Any:
    return tests_module("flowkit")


def echo() -> Path:
    """Chat Input -> Chat Output; its input is `ChatInput-echo.input_value`."""
    return _written("echo.json", _flowkit().echo_flow())


def prompted() -> Path:
    """Chat Input -> Prompt -> Chat Output, no model."""
    return _written("prompted.json", _flowkit().prompt_flow())


def _written(name: str, export: dict[str, Any]) -> Path:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / name
    path.write_text(json.dumps(export))
    return path
