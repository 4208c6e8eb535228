"""`sluice migrate`, `sluice keys …`, `sluice variables …`, `sluice flows import`: setting up."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from sluice.cli import database
from sluice.config import Settings
from sluice.crypto import Cipher, SecretKeyError
from sluice.engine.graph import FlowFormatError
from sluice.engine.validation import runnable_document
from sluice.store import flows, keys, migrate, variables


def cmd_migrate(args: argparse.Namespace) -> None:
    applied = database.run(args, lambda conn, _: migrate.migrate(conn))
    print("\n".join(f"applied {name}" for name in applied) or "the schema is up to date")


def cmd_keys_create(args: argparse.Namespace) -> None:
    key = database.run(args, lambda conn, _: keys.create(conn, args.owner, args.name))
    print(f"Created a key for {args.owner}. It is shown only once:")
    print(key)


def cmd_keys_list(args: argparse.Namespace) -> None:
    for row in database.run(args, lambda conn, _: keys.list_all(conn, args.owner)):
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        print(f"{row['id']}  {row['owner']:<20} {row['name']:<20} {row['created_at']:%Y-%m-%d %H:%M}  {state}")


def cmd_keys_revoke(args: argparse.Namespace) -> None:
    try:
        key_id = uuid.UUID(args.key_id)
    except ValueError:
        raise SystemExit(f"{args.key_id} is not a key id (a UUID).") from None
    if not database.run(args, lambda conn, _: keys.revoke(conn, key_id)):
        raise SystemExit(f"No active key with id {args.key_id}.")
    print(f"Revoked key {args.key_id}.")


def cmd_variables_set(args: argparse.Namespace) -> None:
    # Without VALUE the value is read from standard input, so it stays out of shell history and `ps`.
    value = args.value if args.value is not None else sys.stdin.read().removesuffix("\n")

    async def put(conn: asyncpg.Connection, settings: Settings) -> bool:
        try:
            cipher = Cipher.from_key(settings.secret_key)
        except SecretKeyError as problem:
            raise SystemExit(str(problem)) from None
        return await variables.put(conn, cipher, args.owner, args.name, value)

    created = database.run(args, put)
    print(f"{'Stored' if created else 'Replaced'} the variable {args.name} of {args.owner}.")


def cmd_variables_list(args: argparse.Namespace) -> None:
    for row in database.run(args, lambda conn, _: variables.list_all(conn, args.owner)):
        print(f"{row['owner']:<20} {row['name']:<32} updated {row['updated_at']:%Y-%m-%d %H:%M}")


def cmd_variables_delete(args: argparse.Namespace) -> None:
    if not database.run(args, lambda conn, _: variables.delete(conn, args.owner, args.name)):
        raise SystemExit(f"{args.owner} has no variable {args.name}.")
    print(f"Deleted the variable {args.name} of {args.owner}.")


def cmd_flows_import(args: argparse.Namespace) -> None:
    path = Path(args.file)
    try:
        export = orjson.loads(path.read_bytes())
        document = runnable_document(export)
        endpoint_name = flows.exported_endpoint_name(export)
        timeout = flows.exported_timeout(export)
    except (OSError, orjson.JSONDecodeError) as problem:
        raise SystemExit(f"Cannot read {path}: {problem}") from None
    except (FlowFormatError, flows.InvalidEndpointName, flows.InvalidTimeout) as problem:
        raise SystemExit(f"{path} cannot be imported: {problem}") from None

    async def store(conn: asyncpg.Connection, _: Settings) -> Any:
        try:
            return await flows.create(conn, owner=args.owner, name=str(export.get("name") or path.stem),
                                      description=str(export.get("description") or ""),
                                      endpoint_name=endpoint_name, graph=document, timeout_seconds=timeout)
        except flows.EndpointNameTaken as problem:
            raise SystemExit(str(problem)) from None

    summary = database.run(args, store)
    print(f"Imported {summary.name} as flow {summary.id} (endpoint {summary.endpoint_name}, "
          f"version {summary.version}).")


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    commands.add_parser("migrate", parents=[common], help="apply pending database migrations"
                        ).set_defaults(func=cmd_migrate)

    key_commands = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="action", required=True)
    create = key_commands.add_parser("create", parents=[common], help="create a key; prints it once, on the last line")
    create.add_argument("--owner", required=True)
    create.add_argument("--name", default="")
    create.set_defaults(func=cmd_keys_create)
    listing = key_commands.add_parser("list", parents=[common], help="list keys")
    listing.add_argument("--owner")
    listing.set_defaults(func=cmd_keys_list)
    revoke = key_commands.add_parser("revoke", parents=[common], help="revoke a key by id")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=cmd_keys_revoke)

    variable_commands = commands.add_parser(
        "variables", help="manage owners' global variables (what `load_from_db` fields name)"
    ).add_subparsers(dest="action", required=True)
    setting = variable_commands.add_parser("set", parents=[common],
                                           help="store a variable, encrypted with SLUICE_SECRET_KEY")
    setting.add_argument("--owner", required=True)
    setting.add_argument("name")
    setting.add_argument("value", nargs="?", help="the value; read from standard input when left out")
    setting.set_defaults(func=cmd_variables_set)
    variable_listing = variable_commands.add_parser("list", parents=[common], help="list variable names (never values)")
    variable_listing.add_argument("--owner")
    variable_listing.set_defaults(func=cmd_variables_list)
    deleting = variable_commands.add_parser("delete", parents=[common], help="delete a variable")
    deleting.add_argument("--owner", required=True)
    deleting.add_argument("name")
    deleting.set_defaults(func=cmd_variables_delete)

    flow_commands = commands.add_parser("flows", help="manage flows").add_subparsers(dest="action", required=True)
    importing = flow_commands.add_parser("import", parents=[common], help="import a Langflow flow export")
    importing.add_argument("file")
    importing.add_argument("--owner", required=True)
    importing.set_defaults(func=cmd_flows_import)
