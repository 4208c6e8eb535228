"""`sluice up`'s supervisor with small real child processes: restarts, backoff, giving up."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

import pytest

from sluice.supervisor import Backoff, Child, GaveUp, Supervisor


def test_backoff_doubles_up_to_its_cap_and_starts_afresh_after_a_healthy_run():
    backoff = Backoff(first=0.5, cap=4, healthy_after=60)
    assert [backoff.after(1) for _ in range(5)] == [0.5, 1, 2, 4, 4]
    assert backoff.after(61) == 0.5


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.05)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.mark.integration  # small real child processes
async def test_a_child_crashing_at_start_up_before_ready_gives_up_with_its_last_lines():
    crashing = Child("broken", python("import sys; print('cannot bind: address in use'); sys.exit(3)"), {})
    steady = Child("steady", python("import time; time.sleep(60)"), {})
    supervisor = Supervisor([crashing, steady])
    with pytest.raises(GaveUp) as raised:
        await asyncio.wait_for(supervisor.run(), timeout=30)
    assert "broken exited with code 3 at start-up 3 times in a row" in str(raised.value)
    assert "cannot bind: address in use" in str(raised.value)
    assert steady.process is not None and steady.process.returncode is not None  # stopped with the rest


@pytest.mark.integration  # small real child processes
async def test_after_ready_a_child_that_exits_is_started_again_and_stop_ends_all(tmp_path):
    marker = tmp_path / "runs"
    # Exits on its first run, stays up on the next: as a worker killed once.
    code = (f"import pathlib, sys, time; p = pathlib.Path({str(marker)!r}); runs = p.read_text() if p.exists() "
            "else ''; p.write_text(runs + 'x'); print('run', len(runs) + 1, flush=True); "
            "sys.exit(1) if not runs else time.sleep(60)")
    child = Child("worker-1", python(code), {})
    supervisor = Supervisor([child])
    supervisor.ready = True
    running = asyncio.create_task(supervisor.run())
    await until(lambda: bool(child.tail) and child.tail[-1] == "run 2")
    assert child.process is not None and child.process.returncode is None
    supervisor.stop()
    await asyncio.wait_for(running, timeout=30)
    assert child.process.returncode is not None
