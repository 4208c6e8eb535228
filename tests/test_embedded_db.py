"""The embedded PostgreSQL of `make run` and the tests asks every connection for its password."""

from __future__ import annotations

import os
import stat
from urllib.parse import urlsplit

import asyncpg
import pytest

from conftest import Cluster, free_port
from sluice.embedded_db import EmbeddedPostgres, binaries

# PostgreSQL servers, started and connected to.
pytestmark = pytest.mark.integration


async def assert_password_required(server: EmbeddedPostgres) -> None:
    url = server.url()
    assert urlsplit(url).password == server.password and len(server.password) >= 32
    conn = await asyncpg.connect(url)
    assert await conn.fetchval("select current_user") == "postgres"
    await conn.close()
    # Without it, or with a wrong one: over TCP, and over the Unix socket in the data directory.
    for password in ("", "wrong"):
        for host in ("127.0.0.1", str(server.data_dir)):
            with pytest.raises(asyncpg.InvalidPasswordError):
                await asyncpg.connect(host=host, port=server.port, user="postgres", password=password,
                                      database="postgres")


async def test_the_password_is_generated_once_kept_private_and_required(cluster: Cluster):
    server = cluster.server
    assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600
    assert server.password_file.parent == server.data_dir.parent  # beside the data, never inside a flow's reach
    await assert_password_required(server)
    assert server.psql("select 1").strip() == "1"  # psql is given the password too


async def test_a_data_directory_made_when_everyone_was_trusted_gets_the_password(tmp_path):
    server = EmbeddedPostgres(tmp_path / "postgres", free_port())
    # What Sluice made before it set a password: an initdb that trusts every local connection.
    server.data_dir.mkdir(mode=0o700)
    if os.geteuid() == 0:
        server._let_user_reach(server.data_dir)
        os.chown(server.data_dir, server._user.pw_uid, server._user.pw_gid)
    server._run("initdb", "-D", str(server.data_dir), "-U", "postgres", "--auth=trust", "--no-instructions")
    assert not server.password_file.exists()
    server.start()
    try:
        assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600
        await assert_password_required(server)
        server.stop()
        server.start()  # the second start finds everything in place
        await assert_password_required(server)
    finally:
        server.stop()


def test_the_binaries_are_reachable_by_the_servers_user_before_the_first_start(tmp_path):
    # A clone in a fresh `mktemp -d` folder (mode 700) holds the virtualenv, and so the binaries: the
    # first command, `pg_ctl status` of a left-over server, runs as the server's user before start.
    install = binaries().parent
    mode = install.stat().st_mode
    if os.geteuid() == 0:
        install.chmod(mode & ~stat.S_IXOTH)
    try:
        server = EmbeddedPostgres(tmp_path / "postgres", free_port())
        assert not server.is_running()
        # As root the server's user is another one, who now may traverse; otherwise it is the caller.
        assert install.stat().st_mode & stat.S_IXOTH or server._user is None
    finally:
        install.chmod(mode)
