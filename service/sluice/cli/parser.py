"""The `sluice` command line: its parser, assembled from the command modules, and `main`."""

from __future__ import annotations

import argparse
import logging

from sluice.cli import admin, operations, processes


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="sluice", description="Run Langflow flows as durable jobs on PostgreSQL.")
    root.add_argument("-v", "--verbose", action="store_true", help="say which database the command uses")
    # Also accepted after the command (`sluice keys list --verbose`); unset there, the root's value stands.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="say which database the command uses")
    commands = root.add_subparsers(dest="command", required=True)
    for module in (admin, operations, processes):
        module.add_commands(commands, common)
    return root


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    args.func(args)
