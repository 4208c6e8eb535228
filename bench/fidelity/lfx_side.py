"""Runs the fidelity cases on Langflow's own executor (lfx), in its virtualenv (.bench/fidelity).

`python -m bench.fidelity.lfx_side CASES.json` prints one JSON object: case name -> the ChatOutput
texts of each turn (or the error). Before each turn it posts a marker to the recording model server,
so the requests of that turn can be told apart. Standard library and lfx only: Sluice is not here.

lfx alone stores no messages (its message functions are no-ops without Langflow's database); the
memory flows need the turns before, so its stub store is replaced with a list in memory.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import sys
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_STORE: list[Any] = []


async def _store(message: Any, flow_id: Any = None, run_id: Any = None, user_id: Any = None) -> list[Any]:
    if not getattr(message, "id", None):
        message.id = str(uuid.uuid4())
    if flow_id:
        message.flow_id = str(flow_id)
    if not getattr(message, "timestamp", None):
        message.timestamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    _STORE[:] = [kept for kept in _STORE if kept.id != message.id]
    _STORE.append(message)
    return [message]


async def _update(messages: Any) -> list[Any]:
    updated = messages if isinstance(messages, list) else [messages]
    for message in updated:
        await _store(message)
    return updated


async def _get(sender: str | None = None, sender_name: str | None = None, session_id: Any = None,
               context_id: Any = None, order_by: str | None = "timestamp", order: str | None = "DESC",
               flow_id: Any = None, limit: int | None = None, user_id: Any = None) -> list[Any]:
    found = [m for m in _STORE
             if (session_id is None or str(m.session_id) == str(session_id))
             and (sender is None or m.sender == sender) and (sender_name is None or m.sender_name == sender_name)
             and (flow_id is None or str(getattr(m, "flow_id", "") or "") in ("", str(flow_id)))]
    found = found[::-1] if (order or "DESC").upper() == "DESC" else found
    return found[:limit] if limit else found


def _install_store() -> None:
    from lfx.memory import stubs

    stubs.astore_message = _store
    stubs.aupdate_messages = _update
    stubs.aget_messages = _get


@functools.cache
def _index() -> dict[str, Any]:
    import lfx

    document = json.loads((Path(lfx.__file__).parent / "_assets" / "component_index.json").read_text())
    return {name: spec for _, group in document["entries"] for name, spec in group.items()}


def _completed(flow: dict[str, Any]) -> dict[str, Any]:
    """The flow with each node that carries no code completed from lfx's component index."""
    for node in flow["data"]["nodes"]:
        body = node["data"].get("node") or {}
        if node.get("type") != "genericNode" or "code" in body.get("template", {}):
            continue
        spec = copy.deepcopy(_index()[node["data"]["type"]])
        for name, given in body.get("template", {}).items():
            spec["template"][name]["value"] = given["value"]
        node["data"]["node"] = spec
    return flow


def _mark(base_url: str, label: str) -> None:
    request = urllib.request.Request(base_url.rstrip("/") + "/fidelity/mark", data=json.dumps({"mark": label}).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
    urllib.request.urlopen(request, timeout=10).read()


async def _turn(flow: dict[str, Any], flow_id: str, session: str, text: str) -> dict[str, Any]:
    from lfx.cli.common import execute_graph_with_capture
    from lfx.load import load_flow_from_json

    graph = load_flow_from_json(_completed(copy.deepcopy(flow)), disable_logs=True)
    graph.flow_id = flow_id
    try:
        results, _ = await execute_graph_with_capture(graph, text, session_id=session)
    except Exception as error:  # the table reports it
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}
    texts: dict[str, str] = {}
    for result in results:
        vertex = getattr(result, "vertex", None)
        if vertex is None or not vertex.id.startswith("ChatOutput"):
            continue
        message = result.result_dict.results.get("message")
        texts[vertex.id] = getattr(message, "text", str(message))
    return {"outputs": texts}


async def main(cases: list[dict[str, Any]]) -> None:
    _install_store()
    report: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        turns = []
        for index, text in enumerate(case["turns"]):
            _mark(case["base_url"], f"lfx|{case['name']}|{index}")
            turns.append(await _turn(case["export"], case["flow_id"], case["session"], text))
        report[case["name"]] = turns
    sys.stdout.write("\n" + json.dumps(report) + "\n")


if __name__ == "__main__":
    listing = json.loads(Path(sys.argv[1]).read_text())
    for case in listing:
        case["export"] = json.loads(Path(case["flow"]).read_text())
    asyncio.run(main(listing))
