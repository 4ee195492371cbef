"""Drives `python -m devstack run` as a real subprocess and inspects its processes in /proc."""

import contextlib
import ctypes
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEMO_EMAIL = "demo@brandloom.test"
DEMO_PASSWORD = "brandloom-demo"
# What the outer `devstack test` stack put into our environment: a stack under test must start
# (or be pointed at) its own services, never inherit these.
OUTER_STACK_VARIABLES = (
    "DATABASE_URL",
    "DATABASE_OWNER_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "APP_MEDIA_ROOT",
    "PORT",
)
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stack_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUTER_STACK_VARIABLES}
    env.update(APP_DATA_DIR=str(data_dir), PORT=str(port), PYTHONUNBUFFERED="1", **extra)
    return env


def run_devstack(env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devstack", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _die_with_pytest() -> None:
    # A killed pytest must not leave a whole stack behind: the supervisor then gets SIGTERM.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass(frozen=True)
class Proc:
    pid: int
    start_time: str
    cmdline: str

    def alive(self) -> bool:
        stat = _stat_fields(self.pid)
        return stat is not None and stat[0] != "Z" and stat[19] == self.start_time


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: [state, ppid, ...]; None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()


def _proc(pid: int) -> Proc | None:
    stat = _stat_fields(pid)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return None
    if stat is None or stat[0] == "Z":
        return None
    return Proc(pid, stat[19], cmdline.strip())


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        with contextlib.suppress(FileNotFoundError):
            found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def direct_children(pid: int) -> list[Proc]:
    return [p for p in (_proc(child) for child in sorted(_children(pid))) if p is not None]


def descendants(pid: int) -> list[Proc]:
    seen: dict[int, Proc] = {}
    pending = list(_children(pid))
    while pending:
        child = pending.pop()
        if child in seen:
            continue
        proc = _proc(child)
        if proc is not None:
            seen[child] = proc
            pending.extend(_children(child))
    return list(seen.values())


def processes_mentioning(data_dir: Path) -> list[Proc]:
    """Live processes whose command line or working directory lies under `data_dir`.

    redis-server rewrites its command line to `redis-server HOST:PORT`, so it is found by its
    working directory (it chdirs to `--dir`).
    """
    needle = str(data_dir)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        proc = _proc(int(entry.name))
        if proc is None:
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = ""
        if needle in proc.cmdline or cwd == needle or cwd.startswith(needle + "/"):
            found.append(proc)
    return found


def wait_until_gone(procs: list[Proc], timeout: float) -> list[Proc]:
    deadline = time.monotonic() + timeout
    alive = [p for p in procs if p.alive()]
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if p.alive()]
    return alive


class Supervisor:
    """One `python -m devstack run` subprocess, its output in a log file."""

    def __init__(self, data_dir: Path, port: int, log_path: Path) -> None:
        self.data_dir = data_dir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.env = stack_env(data_dir, port)
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devstack", "run"],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                process_group=0,  # a Ctrl-C in pytest's terminal goes to pytest, not to it
                preexec_fn=_die_with_pytest,  # pytest starts no threads here
            )
        self.pid = self.process.pid
        self.seen: dict[int, Proc] = {}

    def output(self) -> str:
        return self.log_path.read_bytes().decode(errors="replace")

    def wait_for_banner(self, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.output()
            if "Brandloom is running" in output:
                return output
            if "readyz is not green yet" in output or self.process.poll() is not None:
                break
            time.sleep(0.25)
        raise AssertionError(
            f"no 'Brandloom is running' banner (exit code {self.process.poll()}) within "
            f"{timeout:.0f} s; output:\n{self.output()[-4000:]}"
        )

    def processes(self) -> dict[str, list[Proc]]:
        """The stack's processes by role, found the ways a user would find them."""
        data = str(self.data_dir)
        children = direct_children(self.pid)
        mentioning = processes_mentioning(self.data_dir)
        found = {
            "postgres": [p for p in mentioning if f" -D {data}/postgres " in p.cmdline],
            "redis": [
                p
                for p in mentioning
                if "redis-server" in p.cmdline and _cwd(p.pid) == f"{data}/redis"
            ],
            "beat": [
                p for p in mentioning if f"--schedule {data}/celerybeat-schedule" in p.cmdline
            ],
            "worker": [p for p in children if "-m celery -A config worker" in p.cmdline],
            "web": [
                p
                for p in children
                if f"manage.py runserver 127.0.0.1:{self.port} --noreload" in p.cmdline
            ],
            "direct children": children,
            "descendants": descendants(self.pid),
            "mentioning data dir": mentioning,
        }
        self.seen.update({p.pid: p for group in found.values() for p in group})
        return found

    def all_processes(self) -> list[Proc]:
        unique = {p.pid: p for group in self.processes().values() for p in group}
        return list(unique.values())

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)

    def ensure_stopped(self) -> None:
        """Teardown: whatever a failed test left running is stopped, by force if need be."""
        if self.process.poll() is None:
            try:
                self.stop(signal.SIGINT, timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        survivors = wait_until_gone(list(self.seen.values()), timeout=10)
        for proc in [*survivors, *processes_mentioning(self.data_dir)]:
            if proc.alive():  # left behind by a broken stack: do not leak it into later tests
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)


def _cwd(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def parse_banner(output: str) -> dict[str, str]:
    url = re.search(r"^  Brandloom is running: (\S+)$", output, re.MULTILINE)
    login = re.search(r"^  Demo login:  (\S+) / (\S+)$", output, re.MULTILINE)
    readiness = re.search(r"^  Readiness:   (\S+)$", output, re.MULTILINE)
    assert url and login and readiness, output[-3000:]
    return {
        "url": url.group(1),
        "email": login.group(1),
        "password": login.group(2),
        "readiness": readiness.group(1),
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> dict[str, object]:
        return json.loads(self.text)


class Browser:
    """A cookie-keeping HTTP client for a server in another process (no redirects followed)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(self, path: str, data: dict[str, str] | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        try:
            with self._opener.open(request, timeout=30) as response:
                return Response(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode())
