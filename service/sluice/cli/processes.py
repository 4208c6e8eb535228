"""`sluice serve`, `sluice worker` and `sluice up`: the long-running processes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
from typing import Any

from sluice.cli import database
from sluice.crypto import SecretKeyError

log = logging.getLogger(__name__)


def _exit_cleanly(_signal: int, _frame: object) -> None:
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = database.settings(args)
    # The app factory (and, with --workers, every API process) reads its settings from the
    # environment: hand it the database and secret key this command found.
    os.environ["DATABASE_URL"] = settings.database_url
    if settings.secret_key:
        os.environ["SLUICE_SECRET_KEY"] = settings.secret_key
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
    from sluice.worker.duties import DutyFailed
    from sluice.worker.loop import Worker

    settings = database.settings(args)

    async def main() -> None:
        worker = Worker(settings, concurrency=args.concurrency)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        await worker.run()

    try:
        database.run_async(main)
    except SecretKeyError as problem:
        raise SystemExit(str(problem)) from None
    except DutyFailed as failure:
        # Exits non-zero, so that a supervisor (`sluice up`, systemd, Kubernetes) starts a fresh one.
        log.error("worker stopped: %s", failure)
        raise SystemExit(1) from None


def cmd_up(args: argparse.Namespace) -> None:
    from sluice import standalone

    sys.exit(standalone.main(workers=args.workers, concurrency=args.concurrency))


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser("serve", parents=[common], help="run the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1, help="API processes (default 1)")
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", parents=[common], help="run one worker process")
    worker.add_argument("--concurrency", type=int, default=8, help="jobs run at once (default 8)")
    worker.set_defaults(func=cmd_worker)

    up = commands.add_parser("up", help="run everything on this machine: database, API and workers, "
                                        "restarting any that exits")
    up.add_argument("--workers", type=int, default=2)
    up.add_argument("--concurrency", type=int, default=8)
    up.set_defaults(func=cmd_up)
