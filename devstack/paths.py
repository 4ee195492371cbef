import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A unix socket path must fit in sockaddr_un (108 bytes with the terminating NUL).
_MAX_SOCKET_DIR = 80


@dataclass(frozen=True)
class StackPaths:
    """Where one stack keeps its state: `.data/` for `make run`, `.data/test/` for tests."""

    root: Path

    @property
    def postgres_data(self) -> Path:
        return self.root / "postgres"

    @property
    def redis_data(self) -> Path:
        return self.root / "redis"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def media(self) -> Path:
        return self.root / "media"

    @property
    def lock_file(self) -> Path:
        return self.root / "stack.lock"

    @property
    def env_file(self) -> Path:
        """The running stack's service URLs, for `python -m devstack manage`."""
        return self.root / "stack.env"

    @property
    def socket_dir(self) -> Path:
        preferred = self.root / "sockets"
        if len(str(preferred)) <= _MAX_SOCKET_DIR:
            return preferred
        digest = hashlib.sha1(str(self.root).encode(), usedforsecurity=False).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"brandloom-{digest}"

    def create(self) -> None:
        for folder in (self.root, self.redis_data, self.logs, self.media, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)


def run_paths() -> StackPaths:
    return StackPaths(Path(os.environ.get("APP_DATA_DIR", PROJECT_ROOT / ".data")).resolve())


def test_paths() -> StackPaths:
    return StackPaths(run_paths().root / "test")
