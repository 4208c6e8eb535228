"""Child processes of a benchmark: started with their output watched, stopped by their own pid.

Standard library only: the peers' drivers use it from their own virtualenvs.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]


class Child:
    """A process whose combined output is read by a thread (so its pipe never fills), kept as a
    short tail for error messages, and searched for a line that says it is ready."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None,
                 ready_marker: str | None = None) -> None:
        self.name = name
        self.process = subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            cwd=REPOSITORY, env={**os.environ, **(env or {})},
        )
        self._marker = ready_marker
        self._ready = threading.Event()
        self._tail: collections.deque[str] = collections.deque(maxlen=30)
        threading.Thread(target=self._watch, daemon=True, name=f"{name} output").start()

    def _watch(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._tail.append(line.rstrip())
            if self._marker is not None and self._marker in line:
                self._ready.set()

    def tail(self) -> str:
        return "\n".join(self._tail)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} was not ready after {timeout:.0f}s:\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far (Linux: /proc/PID/stat)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        # utime and stime, the 14th and 15th fields of the whole line, in clock ticks.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self) -> int:
        """The process's resident memory now, in kB (Linux: VmRSS of /proc/PID/status)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"{self.name} has no VmRSS")

    def signal(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)

    def wait(self, timeout: float = 30) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def stop_all(children: Sequence[Child], timeout: float = 30) -> None:
    """SIGTERM to every child first, so they shut down side by side, then wait for each."""
    for child in children:
        child.signal(signal.SIGTERM)
    for child in children:
        child.wait(timeout)


def start_ready(name: str, count: int, argv: Sequence[str], env: Mapping[str, str], ready_marker: str,
                timeout: float = 60) -> list[Child]:
    """`count` processes of one command, returned once each printed its ready line."""
    children = [Child(f"{name} {n}", argv, env, ready_marker) for n in range(count)]
    try:
        for child in children:
            child.wait_ready(timeout)
    except Exception:
        stop_all(children)
        raise
    return children


def run_json(argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 1800) -> Any:
    """Run a driver that prints its result as JSON on its last stdout line; its stderr passes through."""
    result = subprocess.run(list(argv), stdout=subprocess.PIPE, text=True, cwd=REPOSITORY,
                            env={**os.environ, **(env or {})}, timeout=timeout, check=False)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(argv[:4])} failed with {result.returncode}:\n{result.stdout[-2000:]}")
    return json.loads(lines[-1])


def print_result(result: Any) -> None:
    """A driver's answer to run_json."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
