"""Sluice sends a model what Langflow's executor sent it for the same flow and input.

The requests are lfx 1.13.0's own, recorded by `make fidelity` into tests/data/fidelity/; here
Sluice runs the same flows against the same deterministic model server, and its requests (messages,
tools with their schemas, tool choice) and final texts must equal the recording exactly.
"""

from __future__ import annotations

import uuid

import pytest
from bench.fidelity import cases, compare, recordings
from bench.fidelity.model import RecordingModel
from bench.fidelity.sluice_side import run_turns

from sluice.engine.services import Services

# A local recording model server (the fixture `model`).
pytestmark = pytest.mark.integration


@pytest.fixture
def model(monkeypatch):
    server = RecordingModel()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fidelity")
    yield server
    server.close()


@pytest.mark.parametrize("name", recordings.RECORDED)
async def test_requests_and_texts_equal_langflows(name, model):
    [case] = [case for case in cases.all_cases() if case.name == name]
    recorded = recordings.load(name)
    services = Services()
    try:
        results = await run_turns(case.flow, case.turns, f"test-{uuid.uuid4().hex[:8]}", services,
                                  lambda index: model.mark(f"turn {index}"))
    finally:
        await services.aclose()
    sent = model.turns()
    for index, turn in enumerate(recorded["turns"]):
        ours = recordings.normalized(sent.get(f"turn {index}", []))
        assert [compare.contract(r) for r in ours] == [compare.contract(r) for r in turn["requests"]], (
            compare.first_difference(ours, turn["requests"]))
        assert recordings.texts(results[index]) == turn["texts"]
