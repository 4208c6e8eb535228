"""Sluice's own storage for the engine's components: the protocols of sluice/engine/services.py
over PostgreSQL."""

from __future__ import annotations

from functools import partial

import asyncpg

from sluice import db
from sluice.config import Settings
from sluice.engine.services import Services
from sluice.store import files, variables


def worker_services(settings: Settings, pool: asyncpg.Pool) -> Services:
    """What every job of this worker shares: settings, HTTP clients, and files and variables in `pool`."""
    services = Services(settings, save_file=partial(files.insert, pool), unavailable=db.UNAVAILABLE)
    services.read_variable = partial(variables.read, pool, services.cipher)
    return services
