"""Starts the stack's services in order and stops them in reverse, once, whatever happens."""

import fcntl
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import IO

import psycopg
import redis

from .errors import StackError
from .paths import PROJECT_ROOT, StackPaths
from .postgres import Postgres
from .processes import spawn, stop
from .redis import Redis


class Shutdown(Exception):
    """Raised in the main thread by SIGINT/SIGTERM so that `finally` blocks stop the children."""


def _raise_shutdown(signum: int, _frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


@contextmanager
def exclusive_lock(paths: StackPaths, what: str) -> Iterator[None]:
    """Hold `.data/…/stack.lock` for the life of the stack; a second stack says who holds it."""
    paths.create()
    handle: IO[str] = paths.lock_file.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise StackError(
            f"{what} is already running (pid {holder}): use that one, or stop it with Ctrl-C "
            "in its terminal first."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        handle.close()


def _check_database_url(url: str) -> None:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StackError(
            f"Cannot connect to the database at DATABASE_URL ({reason}): correct the URL, or "
            "unset DATABASE_URL to use the embedded PostgreSQL."
        ) from None


def _check_redis_url(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, ValueError) as error:
        raise StackError(
            f"Cannot reach Redis at REDIS_URL ({str(error).rstrip('.')}): correct the URL, or "
            "unset REDIS_URL to "
            "use the embedded Redis."
        ) from None


class Stack:
    """PostgreSQL and Redis (embedded unless the environment names others) plus app processes."""

    def __init__(self, paths: StackPaths, *, persistent: bool) -> None:
        self.paths = paths
        self.persistent = persistent
        self.env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.children: list[tuple[str, subprocess.Popen[bytes], int]] = []

    def start_services(self) -> None:
        if os.environ.get("DATABASE_URL"):
            _check_database_url(os.environ["DATABASE_URL"])
        else:
            postgres = Postgres(
                self.paths.postgres_data, self.paths.socket_dir, self.paths.logs / "postgres.log"
            )
            print("Starting PostgreSQL 18 + pgvector ...", flush=True)
            postgres.start()
            assert postgres.process is not None
            self.children.append(("postgres", postgres.process, signal.SIGINT))
            owner_url, app_url = postgres.ensure_database()
            self.env["DATABASE_URL"] = app_url
            self.env["DATABASE_OWNER_URL"] = owner_url
        if os.environ.get("REDIS_URL"):
            _check_redis_url(os.environ["REDIS_URL"])
        else:
            server = Redis(
                self.paths.redis_data, self.paths.logs / "redis.log", persistent=self.persistent
            )
            print("Starting Redis ...", flush=True)
            server.start()
            assert server.process is not None
            self.children.append(("redis", server.process, signal.SIGTERM))
            self.env["REDIS_URL"] = server.url
        self.env.setdefault("APP_MEDIA_ROOT", str(self.paths.media))

    def manage(self, *args: str, as_owner: bool = False) -> None:
        """Run a management command; `as_owner` connects as the role that owns the tables."""
        env = dict(self.env)
        if as_owner and env.get("DATABASE_OWNER_URL"):
            env["DATABASE_URL"] = env["DATABASE_OWNER_URL"]
        result = subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=PROJECT_ROOT)
        if result.returncode != 0:
            raise StackError(f"`manage.py {' '.join(args)}` failed: read its output above.")

    def spawn_app(self, name: str, *args: str, own_group: bool = True) -> subprocess.Popen[bytes]:
        process = spawn(
            [sys.executable, *args], env=self.env, cwd=PROJECT_ROOT, own_group=own_group
        )
        self.children.append((name, process, signal.SIGTERM))
        return process

    def exited_child(self) -> tuple[str, int] | None:
        for name, process, _sig in self.children:
            if process.poll() is not None:
                return name, process.returncode
        return None

    def stop_all(self) -> None:
        for name, process, sig in reversed(self.children):
            if process.poll() is None:
                print(f"Stopping {name} ...", flush=True)
            stop(process, sig=sig, timeout=30)
        self.children.clear()


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    previous = {s: signal.signal(s, _raise_shutdown) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stack
    finally:
        # A second Ctrl-C while stopping must not abandon children half-stopped.
        for s in previous:
            signal.signal(s, signal.SIG_IGN)
        stack.stop_all()
        for s, handler in previous.items():
            signal.signal(s, handler)
