"""Tokens used by model calls, per provider and model, for the metrics the API serves.

A worker process adds each answer's usage to its tally here; the worker writes the tally to the
database now and then (sluice/worker/usage.py), and /metrics reads the totals from there, as it does
the queue's figures, so a scrape of any API process sees every worker's calls.
"""

from __future__ import annotations

import threading

from sluice.engine.models.chat import ChatModel, Usage

_lock = threading.Lock()
# (provider, model) -> [calls, input tokens, output tokens], since the last `take()`.
_tally: dict[tuple[str, str], list[int]] = {}


def record(model: ChatModel, usage: Usage) -> None:
    with _lock:
        counts = _tally.setdefault((model.provider, model.name), [0, 0, 0])
        counts[0] += 1
        counts[1] += usage.input_tokens
        counts[2] += usage.output_tokens


def take() -> dict[tuple[str, str], tuple[int, int, int]]:
    """The tally so far, which starts again from nothing."""
    with _lock:
        taken = {key: (calls, inputs, outputs) for key, (calls, inputs, outputs) in _tally.items()}
        _tally.clear()
    return taken


def restore(taken: dict[tuple[str, str], tuple[int, int, int]]) -> None:
    """Put back a tally that could not be written, to go with the next one."""
    with _lock:
        for key, (calls, inputs, outputs) in taken.items():
            counts = _tally.setdefault(key, [0, 0, 0])
            counts[0] += calls
            counts[1] += inputs
            counts[2] += outputs
