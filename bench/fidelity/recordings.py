"""The results of a run side by side (the table), and the recordings of lfx's requests that
`make test` compares Sluice against (tests/data/fidelity/, refreshed by `make fidelity`).

Values that depend on the moment (today's date in the Agent's instructions, message timestamps)
are replaced by placeholders, so a recording holds on another day.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from bench.fidelity import compare
from bench.fidelity.cases import Case

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "fidelity"
# The cases whose lfx requests are kept for `make test`.
RECORDED = ("Simple Agent", "Blog Writer", "Travel Planning Agents", "Market Research",
            "Financial Report Parser, report typed in", "History as text (no model)")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?( ?UTC|[+-]\d{2}:\d{2})?")
_UNKEPT = {"id", "run_id", "flow_id"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def steady(text: str) -> str:
    """`text` without what changes from run to run."""
    text = _by_rows(text)
    text = _TIMESTAMP.sub("<timestamp>", text)
    text = _UUID.sub("<uuid>", text)
    return text.replace(datetime.now(UTC).date().isoformat(), "<today>")


def _by_rows(text: str) -> str:
    """A markdown table of messages as its rows' cells, without the identifiers Sluice does not keep
    (a message's id, run id and flow id: random in every Langflow run too), so such tables compare
    by row rather than by padding."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("| text ") and i + 1 < len(lines)
              and lines[i + 1].startswith("|:")]
    if not starts:
        return text
    start = starts[0]
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    table = [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines[start:end]]
    keep = [i for i, name in enumerate(table[0]) if name not in _UNKEPT]
    rows = [" | ".join(_nested(row[i]) for i in keep) for n, row in enumerate(table) if n != 1]
    return "\n".join([*lines[:start], *rows, *lines[end:]])


def _nested(cell: str) -> str:
    """A table within a cell (an earlier answer that was a table), compared by rows too."""
    if not cell.startswith("\\| text "):
        return cell
    return _by_rows(cell.replace("<br/>", "\n").replace("\\|", "|")).replace("\n", "<br/>")


def normalized(requests: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(steady(json.dumps(request))) for request in requests]


def texts(result: Mapping[str, Any]) -> dict[str, str]:
    if "error" in result:
        return {"error": steady(str(result["error"]))}
    return {node_id: steady(text) for node_id, text in sorted(result["outputs"].items())}


@attrs.frozen
class Row:
    flow: str
    same_text: bool
    same_messages: bool
    same_tools: bool
    same_shape: bool
    difference: str

    @classmethod
    def of(cls, case: Case, index: int, ours: Mapping[str, Any], theirs: Mapping[str, Any],
           our_requests: list[dict[str, Any]], their_requests: list[dict[str, Any]]) -> Row:
        name = case.name if len(case.turns) == 1 else f"{case.name} (turn {index + 1})"
        text_difference = compare.first_difference([texts(ours)], [texts(theirs)], part=lambda value: value)
        messages = compare.first_difference(our_requests, their_requests, part=lambda r: r.get("messages"))
        tools = compare.first_difference(our_requests, their_requests, part=lambda r: {
            k: v for k, v in compare.contract(r).items() if k != "messages"})
        shape = compare.first_difference(our_requests, their_requests, part=compare.shape)
        first = next((found for found in (messages, tools, text_difference, shape) if found), "")
        return cls(name, not text_difference, not messages, not tools, not shape, first.replace("request ", "#"))


def table(rows: Sequence[Row]) -> str:
    mark = {True: "yes", False: "NO"}
    lines = ["| flow | same final text | same messages | same tools | same request shape | first difference |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r.flow} | {mark[r.same_text]} | {mark[r.same_messages]} | {mark[r.same_tools]} | "
              f"{mark[r.same_shape]} | {r.difference.replace('|', '/')} |" for r in rows]
    same = sum(r.same_text and r.same_messages and r.same_tools for r in rows)
    lines.append(f"\n{same} of {len(rows)} runs: same final text, same messages and tools.")
    return "\n".join(lines)


def _path(case_name: str) -> Path:
    return DATA / (re.sub(r"[^a-z0-9]+", "-", case_name.lower()).strip("-") + ".json")


def save(case: Case, index: int, result: Mapping[str, Any], requests: list[dict[str, Any]]) -> None:
    """Keeps lfx's result and requests of one turn (the first turn starts the file afresh)."""
    path = _path(case.name)
    recorded = json.loads(path.read_text()) if index and path.exists() else {"flow": case.name, "turns": []}
    turn = {"input": case.turns[index], "texts": texts(result), "requests": [compare.canonical(r) for r in requests]}
    recorded["turns"] = [*recorded["turns"][:index], turn]
    DATA.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")


def load(case_name: str) -> dict[str, Any]:
    return json.loads(_path(case_name).read_text())
