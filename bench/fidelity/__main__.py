"""`python -m bench.fidelity [NAME ...]`: run the cases on lfx and on Sluice, print the table, and
refresh the recordings `make test` compares against (tests/data/fidelity/)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.fidelity import cases as fidelity_cases
from bench.fidelity import recordings
from bench.fidelity.model import RecordingModel
from bench.fidelity.sluice_side import run_turns
from sluice.engine.services import Services

REPOSITORY = Path(__file__).resolve().parents[2]
LFX_PYTHON = REPOSITORY / ".bench" / "fidelity" / "bin" / "python"


def _environment(model: RecordingModel) -> dict[str, str]:
    return {"OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": "sk-fidelity", "SLUICE_DEFAULT_MODEL": "gpt-4o-mini",
            # lfx refuses private addresses for model endpoints unless allowed.
            "LANGFLOW_SSRF_ALLOWED_HOSTS": model.host, "DO_NOT_TRACK": "true", "LANGFLOW_LOG_LEVEL": "error"}


def run_lfx(selected: list[fidelity_cases.Case], model: RecordingModel,
            sessions: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    listing = [{"name": case.name, "flow": str(case.path), "flow_id": str(uuid.uuid4()),
                "session": sessions[case.name], "turns": list(case.turns), "base_url": model.base_url}
               for case in selected]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(listing, handle)
    done = subprocess.run([str(LFX_PYTHON), "-m", "bench.fidelity.lfx_side", handle.name], cwd=REPOSITORY,
                          env={**os.environ, **_environment(model)}, capture_output=True, text=True, check=False)
    Path(handle.name).unlink()
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.exit(f"lfx did not finish:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


async def run_sluice(selected: list[fidelity_cases.Case], model: RecordingModel,
                     sessions: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    os.environ.update(_environment(model))
    services = Services()
    try:
        return {case.name: await run_turns(case.flow, case.turns, sessions[case.name], services,
                                           lambda index, name=case.name: model.mark(f"sluice|{name}|{index}"))
                for case in selected}
    finally:
        await services.aclose()


def main(names: list[str]) -> None:
    selected = [case for case in fidelity_cases.all_cases() if not names or case.name in names]
    fidelity_cases.write(selected)
    model = RecordingModel()
    # The same session id on both sides (each system keeps its own history), so tables of messages
    # are alike down to the width of that column.
    sessions = {case.name: f"session-{uuid.uuid4().hex[:8]}" for case in selected}
    try:
        theirs = run_lfx(selected, model, sessions)
        ours = asyncio.run(run_sluice(selected, model, sessions))
        turns = model.turns()
    finally:
        model.close()
    rows = []
    for case in selected:
        for index in range(len(case.turns)):
            lfx_requests = recordings.normalized(turns.get(f"lfx|{case.name}|{index}", []))
            sluice_requests = recordings.normalized(turns.get(f"sluice|{case.name}|{index}", []))
            lfx_result, sluice_result = theirs[case.name][index], ours[case.name][index]
            rows.append(recordings.Row.of(case, index, sluice_result, lfx_result, sluice_requests, lfx_requests))
            if case.name in recordings.RECORDED:
                recordings.save(case, index, lfx_result, lfx_requests)
    print(recordings.table(rows))
    print("\nNot run (cannot run offline here):")
    for name, why in fidelity_cases.NOT_RUNNABLE.items():
        print(f"- {name}: {why}")


if __name__ == "__main__":
    main(sys.argv[1:])
