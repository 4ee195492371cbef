import fcntl
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.devstack.running_stack import (
    PROJECT_ROOT,
    free_port,
    run_devstack,
    stack_env,
)

FIND_PYTHON = PROJECT_ROOT / "scripts" / "find-python"
FIND_PYTHON_CANDIDATES = ("python3.12", "python3.13", "python3.14", "python3")
NO_PYTHON = (
    "Brandloom needs Python 3.12 or newer and none was found on PATH or under pyenv: install "
    "python3.12 (or set PYTHON=/path/to/python3.12) and run make again."
)


def assert_fails_fast_with_one_sentence(
    result: subprocess.CompletedProcess[str], seconds: float, expected: str | re.Pattern[str]
) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    assert seconds < 15
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    message = lines[0]
    if isinstance(expected, re.Pattern):
        assert expected.fullmatch(message), message
    else:
        assert message == expected
    # One sentence: it ends with a full stop and has no other sentence end outside the
    # parenthesised reason or the `command` it quotes.
    assert message.endswith(".")
    assert ". " not in re.sub(r"\([^)]*\)|`[^`]*`", "", message), message


def run_timed(env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = run_devstack(env, timeout=60)
    return result, time.monotonic() - started


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_port_in_use_exits_1_naming_the_port_and_the_next_one(data_dir):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result, seconds = run_timed(stack_env(data_dir, port))

    assert result.stdout == ""
    assert_fails_fast_with_one_sentence(
        result,
        seconds,
        f"Port {port} is already in use: stop the program using it, or choose another port "
        f"with `make run PORT={port + 1}`.",
    )


def test_database_url_on_a_closed_port_exits_1_saying_to_fix_or_unset_it(data_dir):
    env = stack_env(data_dir, free_port(), DATABASE_URL="postgres://nobody@127.0.0.1:1/x")

    result, seconds = run_timed(env)

    assert result.stdout == ""
    assert_fails_fast_with_one_sentence(
        result,
        seconds,
        re.compile(
            r"Cannot connect to the database at DATABASE_URL \(.*port 1 failed: Connection "
            r"refused.*\): correct the URL, or unset DATABASE_URL to use the embedded PostgreSQL\."
        ),
    )


def test_redis_url_on_a_closed_port_exits_1_saying_to_fix_or_unset_it(data_dir):
    outer_database = os.environ["DATABASE_URL"]  # the outer `devstack test` stack's server
    env = stack_env(
        data_dir, free_port(), DATABASE_URL=outer_database, REDIS_URL="redis://127.0.0.1:1/0"
    )

    result, seconds = run_timed(env)

    assert result.stdout == ""
    assert_fails_fast_with_one_sentence(
        result,
        seconds,
        re.compile(
            r"Cannot reach Redis at REDIS_URL \(.*127\.0\.0\.1:1.*Connection refused.*\): "
            r"correct the URL, or unset REDIS_URL to use the embedded Redis\."
        ),
    )


def test_held_lock_exits_1_saying_it_is_already_running_with_the_holders_pid(data_dir):
    data_dir.mkdir()
    with (data_dir / "stack.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write(str(os.getpid()))
        lock.flush()

        result, seconds = run_timed(stack_env(data_dir, free_port()))

        assert (data_dir / "stack.lock").read_text() == str(os.getpid())
    assert result.stdout == ""
    assert_fails_fast_with_one_sentence(
        result,
        seconds,
        f"Brandloom (`make run`) is already running (pid {os.getpid()}): use that one, or stop "
        "it with Ctrl-C in its terminal first.",
    )


def _version_at_least_3_12(python: str) -> bool:
    check = "import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)"
    return subprocess.run([python, "-c", check], capture_output=True).returncode == 0


def _find_python(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **extra}
    return subprocess.run(
        [FIND_PYTHON], env=env, capture_output=True, text=True, timeout=30, cwd=PROJECT_ROOT
    )


def test_find_python_without_3_12_on_path_or_pyenv_says_so_in_one_sentence(tmp_path):
    empty_pyenv = tmp_path / "pyenv"
    empty_pyenv.mkdir()
    system_pythons = [
        found
        for name in FIND_PYTHON_CANDIDATES
        if (found := shutil.which(name, path="/usr/bin:/bin")) and _version_at_least_3_12(found)
    ]

    result = _find_python(tmp_path, PYENV_ROOT=str(empty_pyenv))

    if system_pythons:
        # This machine's own Python is new enough: the script must pick the first candidate.
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{system_pythons[0]}\n"
    else:
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == f"{NO_PYTHON}\n"


def test_find_python_finds_an_installed_pyenv_version_that_is_not_on_path(tmp_path):
    pyenv_python = tmp_path / "pyenv" / "versions" / "3.12.99" / "bin" / "python3"
    pyenv_python.parent.mkdir(parents=True)
    pyenv_python.symlink_to(os.path.realpath(sys.executable))
    if any(
        (found := shutil.which(name, path="/usr/bin:/bin")) and _version_at_least_3_12(found)
        for name in FIND_PYTHON_CANDIDATES
    ):
        pytest.skip("this machine has Python 3.12+ on /usr/bin:/bin, which find-python prefers")

    result = _find_python(tmp_path, PYENV_ROOT=str(tmp_path / "pyenv"))

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{pyenv_python}\n"
