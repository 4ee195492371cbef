import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After pytest-django built the test database as the owner, run as the application role."""
    runtime = settings.DATABASE_TEST_RUNTIME
    if runtime["USER"] and runtime["USER"] != connection.settings_dict["USER"]:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            # Only tests need TRUNCATE (pytest-django's flush after transactional tests).
            name = connection.ops.quote_name(runtime["USER"])
            cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {name}")
        connection.close()
        connection.settings_dict.update(runtime)
    yield


def test_database_url() -> str:
    """The URL of the database pytest-django created, for processes outside this one."""
    db = connection.settings_dict
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    port = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'])}{password}@{host}{port}/{db['NAME']}"


@pytest.fixture(autouse=True)
def billing_catalog(request: pytest.FixtureRequest, django_db_blocker) -> None:
    """Plans, prices and packs are migration data: put them back after a transactional test's
    flush emptied the tables (inside a test's transaction, its rollback keeps them)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")  # the test database, never the real one
    import importlib

    from django.apps import apps

    from billing.models import Plan

    with django_db_blocker.unblock():
        if not Plan.objects.exists():
            importlib.import_module("billing.migrations.0003_seed_plans_prices_packs").seed(
                apps, None
            )


@pytest.fixture(autouse=True)
def no_tenant_left_in_scope() -> Iterator[None]:
    """Fails a test that leaves a tenant in scope: it would leak into the next test."""
    from tenants.context import current_tenant_id

    yield
    leaked = current_tenant_id()
    if leaked is not None:
        pytest.fail(f"the test left tenant {leaked} in scope (use tenant_scope or a request)")


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()  # no broker message or counter of an earlier test leaks into this one
    yield client
    client.close()


class WorkerProcess:
    """A real `celery worker` process on the test database and Redis."""

    def __init__(self, name: str, env: dict[str, str], extra_args: tuple[str, ...] = ()) -> None:
        self.name = name
        self.log_path = ARTIFACTS / f"worker-{name}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--queues", "default,render,io", "--concurrency", "2", "--pool", "prefork",
                "--include", "tests.celery_tasks", "--without-mingle", "--without-gossip",
                "--hostname", f"{name}@%h", "--loglevel", "INFO", *extra_args,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )  # fmt: skip
        self._wait_ready()

    @property
    def node(self) -> str:
        return f"{self.name}@{os.uname().nodename}"

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log_path.read_text()[-2000:]}")
            if celery_app.control.ping(destination=[self.node], timeout=0.5):
                return
        raise RuntimeError(f"worker did not answer a ping: {self.log_path.read_text()[-2000:]}")

    def pool_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_everything(self) -> None:
        """SIGKILL the worker and its pool at once, as a lost machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


@pytest.fixture
def start_worker(
    transactional_db: None, redis_client: redis.Redis
) -> Iterator[Callable[..., WorkerProcess]]:
    """Starts real workers against the committed test database; stops them after the test."""
    workers: list[WorkerProcess] = []

    def start(beat: bool = False, **extra_env: str) -> WorkerProcess:
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=test_database_url(),
            REDIS_URL=settings.REDIS_URL,
            PYTHONUNBUFFERED="1",
            **extra_env,
        )
        name = f"test-{uuid.uuid4().hex[:8]}"
        # --beat runs the scheduler inside this worker (the pipeline's recovery sweep).
        extra = ("--beat", "--schedule", str(ARTIFACTS / f"beat-{name}")) if beat else ()
        worker = WorkerProcess(name, env, extra)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker(start_worker: Callable[..., WorkerProcess]) -> WorkerProcess:
    return start_worker()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3-compatible server on loopback, spoken to by the real boto3 client."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
    # around it are still synchronous, so Django's async-safety guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs it with apt-get.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
