"""`python -m bench [--quick] [BENCHMARK ...]`: run the benchmarks (all by default), print one table
and write bench/results/latest.json. See bench/README.md."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from bench.figures import Figure, table, write
from bench.harness import Bench, postgres

# Each module has `measure(bench) -> (figures, details)`; in the order the table shows them.
BENCHMARKS = ("engine", "service")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a few seconds per benchmark")
    parser.add_argument("names", nargs="*", choices=(*BENCHMARKS, []), metavar="BENCHMARK",
                        help=f"any of {', '.join(BENCHMARKS)}")
    args = parser.parse_args()
    bench = Bench(server=postgres(), quick=args.quick)
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    for name in args.names or BENCHMARKS:
        print(f"{name} ...", file=sys.stderr, flush=True)
        measured, detail = importlib.import_module(f"bench.{name}").measure(bench)
        figures.extend(measured)
        details[name] = detail
    path = write(figures, args.quick, details)
    print(table(figures))
    print(f"\n(written to {path.relative_to(path.parents[2])})")


if __name__ == "__main__":
    main()
