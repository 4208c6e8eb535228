"""Figures, their targets, the one table `make bench` prints, and bench/results/latest.json."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import orjson

RESULTS = Path(__file__).resolve().parent / "results"


@attrs.frozen
class Target:
    """`ratio`: Sluice at least `value` times better than the peer; `max` / `min`: Sluice's own value
    at most / at least `value`."""

    kind: str
    value: float

    def describe(self, unit: str) -> str:
        if self.kind == "ratio":
            return f">= {self.value:g}x peer"
        return f"{'<' if self.kind == 'max' else '>='} {self.value:g} {unit}"

    def met(self, figure: Figure) -> bool | None:
        if self.kind == "ratio":
            return None if figure.ratio is None else figure.ratio >= self.value
        if figure.sluice is None:
            return None
        return figure.sluice < self.value if self.kind == "max" else figure.sluice >= self.value


@attrs.frozen
class Figure:
    name: str
    unit: str
    sluice: float | None
    peer: float | None = None
    peer_name: str = ""
    # "higher" or "lower": which way is better. The ratio says how many times better Sluice is.
    better: str = "higher"
    targets: tuple[Target, ...] = ()
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.sluice is None or self.peer is None or not self.sluice or not self.peer:
            return None
        return self.sluice / self.peer if self.better == "higher" else self.peer / self.sluice

    @property
    def met(self) -> bool | None:
        verdicts = [target.met(self) for target in self.targets]
        if not verdicts or None in verdicts:
            return None
        return all(verdicts)

    def as_json(self) -> dict[str, Any]:
        return {**attrs.asdict(self, recurse=False, filter=lambda a, _: a.name != "targets"),
                "ratio": self.ratio, "met": self.met,
                "targets": [target.describe(self.unit) for target in self.targets]}


def number(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return f"{text} {unit}".rstrip()


def table(figures: Sequence[Figure]) -> str:
    header = ("figure", "Sluice", "peer", "ratio", "target", "met")
    rows = [header]
    for figure in figures:
        peer = f"{figure.peer_name} {number(figure.peer, figure.unit)}" if figure.peer_name else ""
        met = {True: "yes", False: "NO", None: "-" if not figure.targets else "n/a"}[figure.met]
        rows.append((
            figure.name,
            number(figure.sluice, figure.unit),
            peer,
            f"{figure.ratio:.2f}x" if figure.ratio is not None else "",
            ", ".join(target.describe(figure.unit) for target in figure.targets),
            met,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    notes = [f"  [{figure.name}] {figure.note}" for figure in figures if figure.note]
    return "\n".join(lines + (["", "Notes:", *notes] if notes else []))


def _git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
                            cwd=RESULTS.parent)
    return result.stdout.strip()


def write(figures: Sequence[Figure], *, quick: bool, benchmarks: Sequence[str], postgres: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    document = {
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": quick,
        "benchmarks": list(benchmarks),
        "commit": _git_commit(),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "postgres": postgres,
                    "load_average": os.getloadavg()},
        "figures": [figure.as_json() for figure in figures],
    }
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return path
