"""`python -m devstack run` (make run), `python -m devstack test -- ARGS` (make test), and
`python -m devstack manage -- ARGS` (a management command against the running `make run`)."""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request

from .errors import StackError
from .paths import StackPaths, run_paths, test_paths
from .supervisor import Shutdown, Stack, exclusive_lock, running

DEMO_EMAIL = "demo@brandloom.test"
DEMO_PASSWORD = "brandloom-demo"  # noqa: S105 - the published demo login of a local install


def _require_free_port(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Bind as runserver does (SO_REUSEADDR), so that the TIME_WAIT connections a just
        # stopped `make run` left on the port do not count as "in use"; a listener still does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise StackError(
                f"Port {port} is already in use: stop the program using it, or choose another "
                f"port with `make run PORT={port + 1}`."
            ) from None


def _wait_until_ready(url: str, stack: Stack, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        exited = stack.exited_child()
        if exited:
            raise StackError(
                f"The {exited[0]} process exited (code {exited[1]}) while starting: "
                "read its output above."
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def run() -> int:
    port = int(os.environ.get("PORT", "8000"))
    paths = run_paths()
    with exclusive_lock(paths, "Brandloom (`make run`)"):
        _require_free_port(port)
        stack = Stack(paths, persistent=True)
        stack.env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        with running(stack):
            stack.start_services()
            print("Applying migrations ...", flush=True)
            stack.manage("migrate", "--noinput", "-v", "0", as_owner=True)
            stack.manage("seed_demo", "--email", DEMO_EMAIL, "--password", DEMO_PASSWORD)
            stack.manage("seed_demo_catalog", "--tenant", "demo")
            stack.manage("assign_plan", "--tenant", "demo", "--plan", "team", "--reason", "demo")
            _use_dev_c2pa_chain(stack)
            _write_stack_env(stack)
            stack.manage("collectstatic", "--noinput", "-v", "0")
            stack.spawn_app(
                "worker", "-m", "celery", "-A", "config", "worker",
                "--queues", "default,render,io", "--concurrency", "2",
                "--hostname", "worker@%h", "--loglevel", "INFO",
            )  # fmt: skip
            stack.spawn_app(
                "beat", "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                "--schedule", str(paths.root / "celerybeat-schedule"),
            )  # fmt: skip
            stack.spawn_app("web", "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload")
            base = f"http://127.0.0.1:{port}"
            ready = _wait_until_ready(f"{base}/readyz", stack)
            state = "running" if ready else "starting (readyz is not green yet)"
            print(
                "\n"
                f"  Brandloom is {state}: {base}/\n"
                f"  Demo login:  {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
                f"  Readiness:   {base}/readyz\n"
                "  Ctrl-C stops everything.\n",
                flush=True,
            )
            while True:
                exited = stack.exited_child()
                if exited:
                    raise StackError(
                        f"The {exited[0]} process exited (code {exited[1]}): read its output "
                        "above; everything else was stopped."
                    )
                time.sleep(0.5)
    return 0


SHARED_VARIABLES = (
    "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "APP_MEDIA_ROOT",
    "APP_C2PA_CERT_CHAIN", "APP_C2PA_PRIVATE_KEY", "APP_C2PA_TRUST_ANCHORS",
)  # fmt: skip


def _use_dev_c2pa_chain(stack: Stack) -> None:
    """Sign the demo's assets with a development C2PA chain kept under the data folder, unless
    the environment names a real one (a development root is trusted by nobody else)."""
    if stack.env.get("APP_C2PA_CERT_CHAIN"):
        return
    folder = stack.paths.root / "c2pa"
    if not (folder / "chain.pem").exists():
        stack.manage("c2pa_dev_certs", "--out", str(folder))
    stack.env["APP_C2PA_CERT_CHAIN"] = str(folder / "chain.pem")
    stack.env["APP_C2PA_PRIVATE_KEY"] = str(folder / "leaf.key")
    stack.env["APP_C2PA_TRUST_ANCHORS"] = str(folder / "root.pem")


def _write_stack_env(stack: Stack) -> None:
    """Where the running stack's services are, for `python -m devstack manage` in another shell."""
    lines = [f"{name}={stack.env[name]}" for name in SHARED_VARIABLES if stack.env.get(name)]
    stack.paths.env_file.write_text("\n".join(lines) + "\n")


def manage(arguments: list[str]) -> int:
    """Run a management command against the running `make run` stack."""
    paths = run_paths()
    if not paths.env_file.exists() or _lock_is_free(paths):
        raise StackError("`make run` is not running: start it first, then run this again.")
    env = dict(os.environ)
    for line in paths.env_file.read_text().splitlines():
        name, _, value = line.partition("=")
        env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], env=env, check=False
    ).returncode


def _lock_is_free(paths: StackPaths) -> bool:
    try:
        with exclusive_lock(paths, "make run"):
            return True
    except StackError:
        return False


def test(pytest_args: list[str]) -> int:
    paths = test_paths()
    with exclusive_lock(paths, "Another `make test`"):
        stack = Stack(paths, persistent=False)
        stack.env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        with running(stack):
            stack.start_services()
            # pytest stays in the terminal's process group so that Ctrl-C reaches it directly.
            tests = stack.spawn_app("pytest", "-m", "pytest", *pytest_args, own_group=False)
            return tests.wait()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("command", choices=["run", "test", "manage"])
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    rest = options.rest[1:] if options.rest[:1] == ["--"] else options.rest
    try:
        if options.command == "manage":
            return manage(rest)
        return run() if options.command == "run" else test(rest)
    except StackError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    except Shutdown:
        print("Stopped.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
