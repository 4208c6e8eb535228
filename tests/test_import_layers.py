"""Imports point one way: entry points, then HTTP and the dashboard, then what a run is, the worker,
the engine, the store, and plain values at the bottom. The engine never imports the store; no two
modules import each other, however indirectly; the dashboard uses no HTTP handler module.

Read from the source with `ast`, so the check needs nothing installed and names each offending
import by file and line. The same layers are drawn in the README's "How it is built".
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import attrs

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "service"

# Top to bottom. A module may import its own layer and every layer below it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("entry points", ("sluice.__main__", "sluice.cli", "sluice.standalone", "sluice.supervisor", "sluice.discovery")),
    ("web", ("sluice.http", "sluice.ui")),
    ("runs", ("sluice.runs",)),
    ("worker", ("sluice.worker", "sluice.maintenance")),
    ("engine", ("sluice.engine",)),
    ("store", ("sluice.store", "sluice.db", "sluice.notifications", "sluice.embedded_db")),
    ("values", ("sluice.models", "sluice.convert", "sluice.config", "sluice.crypto", "sluice.batching")),
)
# Below the engine only plain values: it is handed storage as protocols (engine/services.py).
ENGINE_MAY_NOT_IMPORT = ("store",)
HANDLER_MODULES = ("sluice.http.workflows", "sluice.http.flows", "sluice.http.files", "sluice.http.health",
                   "sluice.http.metrics", "sluice.http.openapi")


@attrs.frozen
class Import:
    source: str
    target: str
    line: int
    # Under `if TYPE_CHECKING:`: a type's name only, never executed.
    typing_only: bool

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line})"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE_ROOT.rglob("*.py")}


def _typing_blocks(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_lines = _typing_blocks(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*kept, base] if base else kept)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("sluice") and target != name and target != "sluice":
                found.append(Import(name, target, node.lineno, node.lineno in typing_lines))
    return found


def all_imports() -> list[Import]:
    known = modules()
    return [found for name, path in sorted(known.items()) for found in imports_of(name, path, known)]


def layer_of(module: str) -> int:
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return index
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS (and to the README's drawing)")


def layer_name(module: str) -> str:
    return LAYERS[layer_of(module)][0]


def test_every_module_belongs_to_a_layer():
    for module in modules():
        if module != "sluice":
            layer_of(module)


def test_no_import_runs_upward():
    upward = [str(found) for found in all_imports() if layer_of(found.target) < layer_of(found.source)]
    assert upward == []


def test_the_engine_imports_neither_the_store_nor_the_database():
    reaching = [str(found) for found in all_imports()
                if layer_name(found.source) == "engine" and layer_name(found.target) in ENGINE_MAY_NOT_IMPORT]
    assert reaching == []


def test_the_dashboard_and_the_cli_use_no_http_handler():
    using = [str(found) for found in all_imports()
             if layer_name(found.source) in ("web", "entry points") and not found.source.startswith("sluice.http")
             and found.target in HANDLER_MODULES]
    assert using == []


def test_no_modules_import_each_other_even_indirectly():
    graph: dict[str, set[str]] = {}
    for found in all_imports():
        if not found.typing_only:
            graph.setdefault(found.source, set()).add(found.target)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as circle:
        raise AssertionError(f"these modules import each other: {' -> '.join(circle.args[1])}") from None


def test_the_check_sees_an_upward_import(tmp_path):
    """The checker itself: an engine module importing the store is found, with its line."""
    known = {"sluice.engine.sample": tmp_path / "sample.py", "sluice.store.jobs": tmp_path / "jobs.py"}
    known["sluice.engine.sample"].write_text("import os\n\nfrom sluice.store import jobs\n")
    found = imports_of("sluice.engine.sample", known["sluice.engine.sample"], known)
    assert [str(item) for item in found] == ["sluice.engine.sample imports sluice.store.jobs (line 3)"]
    assert layer_of("sluice.store.jobs") > layer_of("sluice.engine.sample")
