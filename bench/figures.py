"""A benchmark's answer: figures, each Sluice's value beside its peer's and the target it is held to;
printed as one table and written to bench/results/latest.json."""

from __future__ import annotations

import json
import math
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


@attrs.frozen
class Figure:
    benchmark: str
    name: str
    unit: str
    sluice: float
    peer: float | None = None
    peer_name: str = ""
    # "lower" when smaller is better (latencies), "higher" for rates.
    better: str = "higher"
    # Human-readable target, and whether it was met (None: no target for this figure).
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        """How many times better Sluice is than the peer (above 1: Sluice wins)."""
        if self.peer is None or not self.peer or not self.sluice:
            return None
        return self.sluice / self.peer if self.better == "higher" else self.peer / self.sluice


def _number(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"
    return f"{text} {unit}".strip()


def table(figures: Sequence[Figure]) -> str:
    header = ("figure", "Sluice", "peer", "ratio", "target", "met")
    rows = [header]
    for figure in figures:
        peer = f"{_number(figure.peer, figure.unit)} ({figure.peer_name})" if figure.peer is not None else "-"
        ratio = f"{figure.ratio:.1f}x" if figure.ratio is not None else "-"
        met = "-" if figure.met is None else "yes" if figure.met else "NO"
        rows.append((f"{figure.benchmark}: {figure.name}", _number(figure.sluice, figure.unit), peer, ratio,
                     figure.target or "-", met))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def write(figures: Sequence[Figure], quick: bool, details: dict[str, Any]) -> Path:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "figures": [{**attrs.asdict(figure), "ratio": figure.ratio} for figure in figures],
        "details": details,
    }
    RESULTS.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return RESULTS
