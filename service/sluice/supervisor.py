"""Keeps `sluice up`'s child processes running: one that exits unexpectedly is logged and started
again after a backoff (0.5 s, doubling up to 30 s, back to 0.5 s once it has run a healthy
minute), while the others go on serving. Only `stop` (SIGINT or SIGTERM to `sluice up`) ends them.

Each child's output is passed on to standard error, prefixed with its name, and its last lines are
kept: a child that exits within seconds of starting is reported with them. Until `sluice up` is
ready, a child that crashes at start-up three times in a row is a configuration problem (a port
in use, a bad setting): `GaveUp` ends `sluice up` with those lines. After that it is restarted at
the backoff's pace, however often, since the database it needs may only be away for a while.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import signal
import sys
from collections.abc import Mapping, Sequence

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5
MAX_DELAY = 30.0
HEALTHY_AFTER = 60.0
# An exit this soon after starting is a crash at start-up.
STARTUP_WINDOW = 10.0
STARTUP_CRASHES_BEFORE_READY = 3
TAIL_LINES = 20
STOP_TIMEOUT = 40.0


class GaveUp(Exception):
    """A child kept crashing at start-up before `sluice up` was ready."""


class Backoff:
    """The delay before the next restart: doubling, capped, reset by a healthy run."""

    def __init__(self, first: float = FIRST_DELAY, cap: float = MAX_DELAY, healthy_after: float = HEALTHY_AFTER):
        self._first, self._cap, self._healthy_after = first, cap, healthy_after
        self._next = first

    def after(self, ran_for: float) -> float:
        if ran_for >= self._healthy_after:
            self._next = self._first
        delay, self._next = self._next, min(self._next * 2, self._cap)
        return delay


def exit_description(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


class Child:
    """One supervised process: its command, its latest run, the last lines it wrote."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> None:
        self.name = name
        self._argv = list(argv)
        self._env = dict(env)
        self.process: asyncio.subprocess.Process | None = None
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._output: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.tail.clear()
        # Its own session, so a Ctrl-C in the terminal reaches `sluice up` alone, which stops the
        # children in order; and a long output line cannot stall the pipe.
        self.process = await asyncio.create_subprocess_exec(
            *self._argv, env=self._env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True, limit=1 << 20)
        self._output = asyncio.create_task(self._pass_on(self.process.stdout))

    async def wait(self) -> int:
        assert self.process is not None and self._output is not None
        code = await self.process.wait()
        await self._output  # the last lines, written before it exited
        return code

    def signal(self, sig: int) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)

    async def _pass_on(self, stream: asyncio.StreamReader | None) -> None:
        assert stream is not None
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # longer than the limit: pass it on in pieces
                line = await stream.read(1 << 16)
            if not line:
                return
            text = line.decode(errors="replace").rstrip("\n")
            self.tail.append(text)
            # Read on even when our own output is gone (a closed terminal): a full pipe would block the child.
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"{self.name} | {text}\n")
                sys.stderr.flush()


class Supervisor:
    def __init__(self, children: Sequence[Child]) -> None:
        self.children = list(children)
        self.ready = False
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Start every child and keep each running until `stop`; raises GaveUp (see the module)."""
        tasks = [asyncio.create_task(self._keep(child), name=child.name) for child in self.children]
        stopped = asyncio.create_task(self._stopping.wait())
        try:
            done, _ = await asyncio.wait([*tasks, stopped], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            await self._stop_all()
            for task in [*tasks, stopped]:
                task.cancel()
            await asyncio.gather(*tasks, stopped, return_exceptions=True)

    def stop(self) -> None:
        self._stopping.set()

    async def _keep(self, child: Child) -> None:
        loop = asyncio.get_running_loop()
        backoff = Backoff()
        startup_crashes = 0
        while not self._stopping.is_set():
            started = loop.time()
            await child.start()
            code = await child.wait()
            if self._stopping.is_set():
                return
            ran_for = loop.time() - started
            startup_crashes = startup_crashes + 1 if ran_for < STARTUP_WINDOW else 0
            if startup_crashes and not self.ready and startup_crashes >= STARTUP_CRASHES_BEFORE_READY:
                raise GaveUp(f"{child.name} {exit_description(code)} at start-up {startup_crashes} times in a "
                             "row; its last lines:\n" + "\n".join(f"  {line}" for line in child.tail))
            delay = backoff.after(ran_for)
            if startup_crashes:
                log.error("%s %s at start-up (%d time(s) in a row); restarting it in %.1f s. Its last lines:\n%s",
                          child.name, exit_description(code), startup_crashes, delay,
                          "\n".join(f"  {line}" for line in child.tail))
            else:
                log.error("%s %s after %.0f s; restarting it in %.1f s",
                          child.name, exit_description(code), ran_for, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)

    async def _stop_all(self) -> None:
        """SIGTERM to every child, then SIGKILL to those still running after STOP_TIMEOUT."""
        self._stopping.set()
        running = [child for child in self.children
                   if child.process is not None and child.process.returncode is None]
        for child in running:
            child.signal(signal.SIGTERM)
        waits = [asyncio.create_task(child.wait()) for child in running]
        if not waits:
            return
        _, late = await asyncio.wait(waits, timeout=STOP_TIMEOUT)
        for child in running:
            child.signal(signal.SIGKILL)
        if late:
            await asyncio.wait(late, timeout=5)
