"""`python -m bench [--quick] [name ...]`: run the benchmarks (all, or those named), print one table,
and write bench/results/latest.json."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import time

from bench.harness import Bench, postgres
from bench.report import RESULTS, Figure, table, write

# In the order they run: the database's own limit first, the longest last.
BENCHMARKS = ("commit_limit", "startup", "engine", "queue_drain", "queue_steady", "service_sync",
              "service_background", "service_v1", "dashboard", "knowledge", "scale", "soak")


async def run_all(bench: Bench, names: list[str], version: str) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        started = time.monotonic()
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            figures.extend(await importlib.import_module(f"bench.{name}").run(bench))
        except Exception as problem:  # one broken benchmark must not hide the others' figures
            figures.append(Figure(f"{name}: failed", "", None, note=f"{type(problem).__name__}: {problem}"))
        print(f"{name} done in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
        # Written after each benchmark, so a long run that is cut short keeps what it measured.
        write(figures, quick=bench.quick, benchmarks=names, postgres=version)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a few seconds each, for development")
    parser.add_argument("names", nargs="*", metavar="name",
                        help=f"benchmarks to run (default all): {', '.join(BENCHMARKS)}")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)
    server = postgres()
    bench = Bench(server, quick=args.quick)
    version = server.psql("show server_version").strip()
    figures = asyncio.run(run_all(bench, names, version))
    print(table(figures))
    print(f"\nwritten to {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
