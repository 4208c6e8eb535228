"""`sluice jobs ...`, `sluice workers`, `sluice prune` and `sluice status`: the operator's commands.

Human tables by default; `--json` prints JSON for scripts. They read the documented views
(`sluice_jobs`) and tables, so what they show is what the README's SQL shows.
"""

from __future__ import annotations

import argparse
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import orjson

from sluice import discovery
from sluice.cli import database
from sluice.config import Settings
from sluice.models import JobStatus
from sluice.runs import control
from sluice.runs.errors import Conflict
from sluice.store import jobs, migrate, operations, retention, workers

EVENT_PAGE = 10_000


def _print_json(value: Any) -> None:
    # asyncpg hands back its own UUID type, which orjson does not know: it prints as its text.
    print(orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (list, tuple)):
        return str(len(value))
    return str(value)


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(line[i]) for line in cells)]) for i, column in enumerate(columns)]
    for line in [list(columns), *cells]:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip())


def _job_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise SystemExit(f"{text} is not a job id (a UUID).") from None


def attempts(events: Iterable[jobs.LoggedEvent]) -> list[dict[str, Any]]:
    """Each attempt of a job, from the status events of its log: who ran it, when, how it ended."""
    found: list[dict[str, Any]] = []
    for event in events:
        if event.type != "status":
            continue
        data = orjson.loads(event.data)
        if data.get("status") == JobStatus.IN_PROGRESS:
            found.append({"attempt": data.get("attempt"), "worker": data.get("worker"),
                          "started_at": event.created_at, "ended_at": None, "outcome": "running"})
        elif found and found[-1]["outcome"] == "running":
            found[-1]["ended_at"] = event.created_at
            reason = data.get("reason")
            found[-1]["outcome"] = f"{data['status']} ({reason})" if reason else data["status"]
    return found


def cmd_jobs_list(args: argparse.Namespace) -> None:
    rows = database.run(args, lambda conn, _: operations.list_jobs(conn, status=args.status, flow=args.flow,
                                                                   limit=args.limit))
    if args.json:
        _print_json(rows)
        return
    print_table(rows, ["job_id", "flow_name", "status", "attempt", "worker", "queued_at", "wait_seconds",
                       "run_seconds", "error_code"])


def cmd_jobs_show(args: argparse.Namespace) -> None:
    job_id = _job_id(args.job_id)

    async def read(conn: Any, _: Settings) -> tuple[dict[str, Any] | None, list[jobs.LoggedEvent]]:
        return await operations.inspect_job(conn, job_id), await jobs.read_events(conn, job_id, 0, EVENT_PAGE)

    job, events = database.run(args, read)
    if job is None:
        raise SystemExit(f"No job {job_id}.")
    history = attempts(events)
    if args.json:
        _print_json({**job, "attempts": history,
                     "events": [{"seq": e.seq, "type": e.type, "created_at": e.created_at,
                                 "data": orjson.loads(e.data)} for e in events]})
        return
    for name, value in job.items():
        print(f"{name + ':':<17} {_cell(value)}")
    print("\nattempts")
    print_table(history, ["attempt", "worker", "started_at", "ended_at", "outcome"])
    print("\nevents")
    print_table([{"seq": e.seq, "time": e.created_at, "type": e.type, "data": e.data[:100]} for e in events],
                ["seq", "time", "type", "data"])


def cmd_jobs_cancel(args: argparse.Namespace) -> None:
    job_id = _job_id(args.job_id)

    async def cancel(conn: Any, settings: Settings) -> control.Stopped:
        job = await operations.inspect_job(conn, job_id)
        if job is None:
            raise SystemExit(f"No job {job_id}.")
        return await control.stop(conn, job["owner"], job_id, settings.lease_seconds)

    stopped = database.run(args, cancel)
    if args.json:
        _print_json({"job_id": job_id, "status": stopped.status, "cancelled": stopped.cancelled})
    elif stopped.cancelled:
        print(f"Cancelled job {job_id}.")
    else:
        print(f"Job {job_id} is already {stopped.status}; nothing to cancel.")


def cmd_jobs_retry(args: argparse.Namespace) -> None:
    job_id = _job_id(args.job_id)

    async def retry(conn: Any, settings: Settings) -> int:
        job = await operations.inspect_job(conn, job_id)
        if job is None:
            raise SystemExit(f"No job {job_id}.")
        try:
            return await control.retry(conn, job_id, settings.max_attempts)
        except Conflict:
            raise SystemExit(f"Job {job_id} is {job['status']}; only failed, error or timed_out jobs can be retried.") \
                from None

    last_attempt = database.run(args, retry)
    if args.json:
        _print_json({"job_id": job_id, "status": JobStatus.QUEUED, "attempt": last_attempt + 1})
    else:
        print(f"Job {job_id} is queued again; it runs as attempt {last_attempt + 1}.")


def cmd_workers(args: argparse.Namespace) -> None:
    found = [attrs.asdict(info) for info in database.run(args, lambda conn, _: workers.list_all(conn))]
    if args.json:
        _print_json(found)
        return
    print_table(found, ["id", "state", "heartbeat_age", "concurrency", "running", "started_at"])


def cmd_prune(args: argparse.Namespace) -> None:
    async def prune(conn: Any, settings: Settings) -> tuple[float, retention.Pruned]:
        days = settings.retention_days if args.days is None else args.days
        return days, await retention.prune(conn, days, wait_for_lock=True)

    days, pruned = database.run(args, prune)
    if args.json:
        _print_json({"days": days, "jobs": pruned.jobs, "events": pruned.events, "files": pruned.files})
    else:
        print(f"Deleted {pruned.jobs} job(s) that finished more than {days:g} days ago, "
              f"with {pruned.events} event(s) and {pruned.files} file(s).")


def cmd_status(args: argparse.Namespace) -> None:
    async def read(conn: Any, _: Settings) -> dict[str, Any]:
        found = await workers.list_all(conn)
        return {"database": discovery.find().describe(),
                "schema_version": await migrate.applied_version(conn),
                "latest_schema_version": migrate.latest_version(),
                "workers": dict(sorted(Counter(worker.state for worker in found).items())),
                "jobs": await operations.queue_totals(conn)}

    status = database.run(args, read)
    if args.json:
        _print_json(status)
        return
    print(f"database  {status['database']}")
    behind = "" if status["schema_version"] >= status["latest_schema_version"] else " (behind: run `sluice migrate`)"
    print(f"schema    version {status['schema_version']}{behind}")
    print("workers   " + (", ".join(f"{count} {state}" for state, count in status["workers"].items()) or "none"))
    print("jobs      " + ", ".join(f"{status['jobs'].get(name, 0)} {name}" for name in ("queued", "in_progress")))


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register the operator commands on the `sluice` parser's subcommands."""

    def with_json(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return parser

    job_commands = commands.add_parser("jobs", help="inspect and manage jobs").add_subparsers(
        dest="action", required=True)
    listing = with_json(job_commands.add_parser("list", parents=[common], help="list jobs, newest first"))
    listing.add_argument("--status", choices=[status.value for status in JobStatus])
    listing.add_argument("--flow", help="flow name or id")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=cmd_jobs_list)
    for name, func, text in (("show", cmd_jobs_show, "a job's status, attempts and event log"),
                             ("cancel", cmd_jobs_cancel, "cancel a queued or running job"),
                             ("retry", cmd_jobs_retry, "run a failed, error or timed_out job again")):
        command = with_json(job_commands.add_parser(name, parents=[common], help=text))
        command.add_argument("job_id")
        command.set_defaults(func=func)

    with_json(commands.add_parser("workers", parents=[common], help="live workers, their heartbeats and running jobs")
              ).set_defaults(func=cmd_workers)
    with_json(commands.add_parser("status", parents=[common],
                                  help="which database the commands use, its schema, workers and queue")
              ).set_defaults(func=cmd_status)
    prune = with_json(commands.add_parser("prune", parents=[common],
                                          help="delete finished jobs older than SLUICE_RETENTION_DAYS"))
    prune.add_argument("--days", type=float, help="override SLUICE_RETENTION_DAYS")
    prune.set_defaults(func=cmd_prune)
