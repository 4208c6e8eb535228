"""7. Physical limit: the same PostgreSQL's raw rate of single-row insert commits, with 1 and 4
connections, measured by pgbench (C, so the client costs next to nothing). Set beside the queue
figures it shows how close a queue comes to what the database itself can commit."""

from __future__ import annotations

import re
import subprocess

from bench.harness import Bench
from bench.report import Figure
from bench.statements import FOLDER
from sluice.embedded_db import binaries

DATABASE = "bench_commits"


def commit_rate(bench: Bench, connections: int, seconds: int) -> float:
    url = bench.fresh_database(DATABASE)
    subprocess.run([str(binaries() / "psql"), "-X", "-q", "-f", str(FOLDER / "commit_table.sql"), url],
                   check=True, capture_output=True)
    result = subprocess.run(
        [str(binaries() / "pgbench"), "-n", "-f", str(FOLDER / "commit_one_row.sql"), "-T", str(seconds),
         "-c", str(connections), "-j", str(min(connections, 2)), url],
        check=True, capture_output=True, text=True,
    )
    bench.drop_database(DATABASE)
    match = re.search(r"tps = ([\d.]+)", result.stdout)
    if match is None:
        raise RuntimeError(f"pgbench printed no rate:\n{result.stdout}\n{result.stderr}")
    return float(match.group(1))


async def run(bench: Bench) -> list[Figure]:
    seconds = bench.size(10, 3)
    return [
        Figure(f"raw single-row commits, {connections} connection{'s' if connections > 1 else ''}", "commits/s",
               commit_rate(bench, connections, seconds), note="" if connections > 1 else
               "pgbench, one INSERT per transaction; compare the queues' writing commits per job with it")
        for connections in (1, 4)
    ]
