import fcntl
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.devstack.running_stack import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    Browser,
    Supervisor,
    free_port,
    parse_banner,
    processes_mentioning,
    run_devstack,
    wait_until_gone,
)

# The checks below share one running stack; the last test stops it with SIGINT.


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervisor]:
    root = tmp_path_factory.mktemp("make-run")
    supervisor = Supervisor(root / "data", free_port(), root / "make-run.log")
    try:
        supervisor.wait_for_banner(timeout=120)
        yield supervisor
    finally:
        supervisor.ensure_stopped()


@pytest.fixture(scope="module")
def banner(stack: Supervisor) -> dict[str, str]:
    return parse_banner(stack.output())


def test_banner_prints_the_url_the_demo_login_and_the_readiness_url(stack, banner):
    assert banner == {
        "url": f"http://127.0.0.1:{stack.port}/",
        "email": DEMO_EMAIL,
        "password": DEMO_PASSWORD,
        "readiness": f"http://127.0.0.1:{stack.port}/readyz",
    }
    assert "  Ctrl-C stops everything." in stack.output().splitlines()


def test_stack_runs_its_own_postgres_redis_worker_beat_and_web_under_the_data_dir(stack):
    processes = stack.processes()

    for role in ("postgres", "redis", "worker", "beat", "web"):
        assert len(processes[role]) == 1, (role, processes)
    direct = {p.pid for p in processes["direct children"]}
    assert {processes[role][0].pid for role in ("postgres", "redis", "worker", "beat", "web")} == (
        direct
    )
    assert f"-k {stack.data_dir}/sockets " in processes["postgres"][0].cmdline


def test_readyz_is_200_and_ready_with_one_worker(stack):
    response = Browser(stack.base_url).request("/readyz")

    body = response.json()
    assert response.status == 200, body
    assert body["status"] == "ready"
    assert body["failing"] == []
    assert body["checks"]["celery"] == {"ok": True, "detail": "1 worker(s)"}


def test_login_page_is_200_with_the_login_form(stack):
    response = Browser(stack.base_url).request("/accounts/login/")

    assert response.status == 200
    assert '<form method="post" action="/accounts/login/" novalidate>' in response.text
    assert re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">', response.text)
    assert 'name="username"' in response.text
    assert 'name="password" type="password"' in response.text


def test_demo_login_from_the_banner_signs_in_and_opens_the_home_page(stack, banner):
    browser = Browser(stack.base_url)
    assert browser.request("/").headers["Location"] == "/accounts/login/?next=/"
    browser.request("/accounts/login/")
    csrf_token = browser.cookie("csrftoken")
    assert csrf_token

    response = browser.request(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": csrf_token,
            "username": banner["email"],
            "password": banner["password"],
        },
    )

    assert response.status == 302, response.text[-2000:]
    assert response.headers["Location"] == "/"
    assert browser.cookie("sessionid")
    home = browser.request("/")
    assert home.status == 200, home.headers
    assert 'name="password"' not in home.text


def test_wrong_password_is_refused_with_the_form_again(stack):
    browser = Browser(stack.base_url)
    browser.request("/accounts/login/")

    response = browser.request(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": browser.cookie("csrftoken") or "",
            "username": DEMO_EMAIL,
            "password": "not-the-demo-password",
        },
    )

    assert response.status == 200
    assert 'class="form-error" role="alert"' in response.text
    assert browser.cookie("sessionid") is None


def test_second_run_on_the_same_data_dir_exits_1_saying_it_is_already_running(stack):
    started = time.monotonic()
    result = run_devstack(stack.env, timeout=30)

    assert time.monotonic() - started < 15
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"Brandloom (`make run`) is already running (pid {stack.pid}): use that one, or stop it "
        "with Ctrl-C in its terminal first."
    ]
    assert "Traceback" not in result.stderr
    # ... and the running stack is untouched: its lock still names it and it still answers.
    assert (stack.data_dir / "stack.lock").read_text() == str(stack.pid)
    assert stack.process.poll() is None
    assert Browser(stack.base_url).request("/readyz").status == 200


def test_manage_generates_for_the_demo_brand_on_the_running_stack(stack):
    script = Path(__file__).parents[1] / "generation" / "fixtures" / "scripts" / "skincare_zh.txt"

    result = subprocess.run(
        [sys.executable, "-m", "devstack", "manage", "--", "generate", "--tenant", "demo",
         "--script", str(script), "--products", "1", "--channels", "main_800x800",
         "--variants", "2", "--wait", "--timeout", "60"],
        cwd=Path(__file__).parents[2], env=stack.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0] == "Job 1: 2 renders."
    files = [Path(line) for line in lines[1:-1]]
    assert len(files) == 2
    assert all(path.is_relative_to(stack.data_dir / "media" / "tenants") for path in files)
    assert all(path.stat().st_size > 20_000 for path in files)
    assert lines[-1] == "Job 1 succeeded."


def test_sigint_stops_the_supervisor_and_every_child_within_60_s(stack):
    processes = stack.all_processes()
    assert len(processes) >= 5

    started = time.monotonic()
    exit_code = stack.stop(signal.SIGINT, timeout=60)

    assert exit_code == 130
    assert time.monotonic() - started < 60
    output = stack.output()
    assert output.splitlines()[-1] == "Stopped."
    assert [line for line in output.splitlines() if line.startswith("Stopping ")] == [
        "Stopping web ...",
        "Stopping beat ...",
        "Stopping worker ...",
        "Stopping redis ...",
        "Stopping postgres ...",
    ]
    assert "Traceback" not in output
    assert wait_until_gone(processes, timeout=5) == []
    assert processes_mentioning(stack.data_dir) == []
    assert not (stack.data_dir / "postgres" / "postmaster.pid").exists()
    _assert_lock_released(stack.data_dir / "stack.lock")
    with socket.socket() as probe:  # nothing listens on the port any more
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", stack.port))


def _assert_lock_released(lock_file: Path) -> None:
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
