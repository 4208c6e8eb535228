"""The `sluice` command: serve the API, run workers, migrate, and manage keys and flows."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from sluice import db
from sluice.config import Settings
from sluice.crypto import Cipher, SecretKeyError
from sluice.engine.graph import FlowFormatError
from sluice.engine.validation import runnable_document
from sluice.store import flows, keys, migrate, variables


def _run(main: Callable[[], Awaitable[Any]]) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main())
    return uvloop.run(main())


async def _with_connection(work: Callable[[Any], Awaitable[Any]]) -> Any:
    conn = await db.connect(Settings.from_env().database_url)
    try:
        return await work(conn)
    finally:
        await conn.close()


def run_with_connection(work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run `work` with one database connection (DATABASE_URL) and return its result."""
    return _run(lambda: _with_connection(work))


def cmd_migrate(args: argparse.Namespace) -> None:
    applied = _run(lambda: _with_connection(migrate.migrate))
    print("\n".join(f"applied {name}" for name in applied) or "the schema is up to date")


def _exit_cleanly(_signal: int, _frame: object) -> None:
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = Settings.from_env()
    if args.workers == 1:
        # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the handler it
        # found: this one, so a clean stop exits 0 rather than as killed by SIGTERM.
        signal.signal(signal.SIGTERM, _exit_cleanly)
    with contextlib.ExitStack() as stack:
        if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Request metrics of all API processes, summed by whichever one a scrape reaches.
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="sluice-metrics-"))
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        uvicorn.run(
            "sluice.http.app:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=args.workers,
            loop="uvloop",
            http="httptools",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=int(settings.shutdown_grace),
        )


def cmd_worker(args: argparse.Namespace) -> None:
    from sluice.worker.loop import Worker

    async def main() -> None:
        worker = Worker(Settings.from_env(), concurrency=args.concurrency)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        await worker.run()

    try:
        _run(main)
    except SecretKeyError as problem:
        raise SystemExit(str(problem)) from None


def cmd_keys_create(args: argparse.Namespace) -> None:
    key = _run(lambda: _with_connection(lambda conn: keys.create(conn, args.owner, args.name)))
    print(f"Created a key for {args.owner}. It is shown only once:")
    print(key)


def cmd_keys_list(args: argparse.Namespace) -> None:
    rows = _run(lambda: _with_connection(lambda conn: keys.list_all(conn, args.owner)))
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        print(f"{row['id']}  {row['owner']:<20} {row['name']:<20} {row['created_at']:%Y-%m-%d %H:%M}  {state}")


def cmd_keys_revoke(args: argparse.Namespace) -> None:
    import uuid

    revoked = _run(lambda: _with_connection(lambda conn: keys.revoke(conn, uuid.UUID(args.key_id))))
    if not revoked:
        raise SystemExit(f"No active key with id {args.key_id}.")
    print(f"Revoked key {args.key_id}.")


def cmd_variables_set(args: argparse.Namespace) -> None:
    try:
        cipher = Cipher.from_key(Settings.from_env().secret_key)
    except SecretKeyError as problem:
        raise SystemExit(str(problem)) from None
    # Without VALUE the value is read from standard input, so it stays out of shell history and `ps`.
    value = args.value if args.value is not None else sys.stdin.read().removesuffix("\n")
    created = _run(lambda: _with_connection(lambda conn: variables.put(conn, cipher, args.owner, args.name, value)))
    print(f"{'Stored' if created else 'Replaced'} the variable {args.name} of {args.owner}.")


def cmd_variables_list(args: argparse.Namespace) -> None:
    rows = _run(lambda: _with_connection(lambda conn: variables.list_all(conn, args.owner)))
    for row in rows:
        print(f"{row['owner']:<20} {row['name']:<32} updated {row['updated_at']:%Y-%m-%d %H:%M}")


def cmd_variables_delete(args: argparse.Namespace) -> None:
    deleted = _run(lambda: _with_connection(lambda conn: variables.delete(conn, args.owner, args.name)))
    if not deleted:
        raise SystemExit(f"{args.owner} has no variable {args.name}.")
    print(f"Deleted the variable {args.name} of {args.owner}.")


def cmd_flows_import(args: argparse.Namespace) -> None:
    path = Path(args.file)
    try:
        export = orjson.loads(path.read_bytes())
        document = runnable_document(export)
    except (OSError, orjson.JSONDecodeError) as problem:
        raise SystemExit(f"Cannot read {path}: {problem}") from None
    except FlowFormatError as problem:
        raise SystemExit(f"{path} cannot be imported: {problem}") from None

    try:
        endpoint_name = flows.exported_endpoint_name(export)
        timeout = flows.exported_timeout(export)
    except (flows.InvalidEndpointName, flows.InvalidTimeout) as problem:
        raise SystemExit(f"{path} cannot be imported: {problem}") from None

    async def store(conn: Any) -> Any:
        return await flows.create(conn, owner=args.owner, name=str(export.get("name") or path.stem),
                                  description=str(export.get("description") or ""),
                                  endpoint_name=endpoint_name, graph=document, timeout_seconds=timeout)

    try:
        summary = _run(lambda: _with_connection(store))
    except flows.EndpointNameTaken as problem:
        raise SystemExit(str(problem)) from None
    print(f"Imported {summary.name} as flow {summary.id} (endpoint {summary.endpoint_name}, "
          f"version {summary.version}).")


def cmd_up(args: argparse.Namespace) -> None:
    from sluice import standalone

    sys.exit(standalone.main(workers=args.workers, concurrency=args.concurrency))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="sluice", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply pending database migrations").set_defaults(func=cmd_migrate)

    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1, help="API processes (default 1)")
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", help="run one worker process")
    worker.add_argument("--concurrency", type=int, default=8, help="jobs run at once (default 8)")
    worker.set_defaults(func=cmd_worker)

    up = commands.add_parser("up", help="run everything on this machine: database, API and workers")
    up.add_argument("--workers", type=int, default=2)
    up.add_argument("--concurrency", type=int, default=8)
    up.set_defaults(func=cmd_up)

    key_commands = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="action", required=True)
    create = key_commands.add_parser("create", help="create a key; prints it once, on the last line")
    create.add_argument("--owner", required=True)
    create.add_argument("--name", default="")
    create.set_defaults(func=cmd_keys_create)
    listing = key_commands.add_parser("list", help="list keys")
    listing.add_argument("--owner")
    listing.set_defaults(func=cmd_keys_list)
    revoke = key_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=cmd_keys_revoke)

    variable_commands = commands.add_parser(
        "variables", help="manage owners' global variables (what `load_from_db` fields name)"
    ).add_subparsers(dest="action", required=True)
    setting = variable_commands.add_parser("set", help="store a variable, encrypted with SLUICE_SECRET_KEY")
    setting.add_argument("--owner", required=True)
    setting.add_argument("name")
    setting.add_argument("value", nargs="?", help="the value; read from standard input when left out")
    setting.set_defaults(func=cmd_variables_set)
    variable_listing = variable_commands.add_parser("list", help="list variable names (never values)")
    variable_listing.add_argument("--owner")
    variable_listing.set_defaults(func=cmd_variables_list)
    deleting = variable_commands.add_parser("delete", help="delete a variable")
    deleting.add_argument("--owner", required=True)
    deleting.add_argument("name")
    deleting.set_defaults(func=cmd_variables_delete)

    flow_commands = commands.add_parser("flows", help="manage flows").add_subparsers(dest="action", required=True)
    importing = flow_commands.add_parser("import", help="import a Langflow flow export")
    importing.add_argument("file")
    importing.add_argument("--owner", required=True)
    importing.set_defaults(func=cmd_flows_import)

    from sluice import operator_cli

    operator_cli.add_commands(commands)
    return root


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    args.func(args)
