"""Key-authenticated API reads under gunicorn: requests/s, p50, p99 and errors.

    .venv/bin/python bench/api.py [--workers 2,3,4] [--duration 20] [--connections 16]

Without DATABASE_URL it starts its own PostgreSQL and Redis (devstack's classes) under
APP_DATA_DIR (default /tmp/api-bench-data), migrates as the owner role and serves as the app
role, as production does. With DATABASE_URL (and DATABASE_OWNER_URL, REDIS_URL) it uses those.
The client is asyncio streams speaking raw HTTP/1.1 keep-alive, one coroutine per connection.
"""

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.paths import StackPaths  # noqa: E402
from devstack.supervisor import Stack  # noqa: E402

BRAND_SLUG = "api-bench"
CREATE_BRAND = f"""
from tenants.models import Tenant
Tenant.objects.get_or_create(slug={BRAND_SLUG!r}, defaults={{"name": "API bench"}})
"""


PROFILE = """
import cProfile, pstats, sys, time
import django
django.setup()
from django.test import Client
client = Client(HTTP_AUTHORIZATION="Bearer " + sys.argv[1])
for _ in range(50):
    assert client.get(sys.argv[2]).status_code == 200
unknown = Client(HTTP_AUTHORIZATION="Bearer bl_zzzzzzzz_" + "a" * 40)
anonymous = Client()
cases = [
    ("/healthz (no DB, no DRF)", client, "/healthz"),
    (sys.argv[2] + " without a key (DRF, 401)", anonymous, sys.argv[2]),
    (sys.argv[2] + " unknown key (+ transaction, lookup)", unknown, sys.argv[2]),
    (sys.argv[2] + " valid key (whole read)", client, sys.argv[2]),
]
for label, caller, path in cases:
    for _ in range(50):
        caller.get(path)
    started = time.perf_counter()
    for _ in range(500):
        caller.get(path)
    print(f"in-process {label}: {(time.perf_counter() - started) / 0.5:.2f} ms/request")
profiler = cProfile.Profile()
started = time.perf_counter()
profiler.enable()
for _ in range(500):
    client.get(sys.argv[2])
profiler.disable()
print(f"profiled: {(time.perf_counter() - started) * 2:.2f} ms/request")
pstats.Stats(profiler).sort_stats(sys.argv[3] if len(sys.argv) > 3 else "tottime").print_stats(40)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(stack_env: dict[str, str], rate_limit: str) -> dict[str, str]:
    return dict(
        stack_env,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",  # no TLS proxy in front of the bench
        APP_LOG_LEVEL="WARNING",
        APP_API_RATE_LIMIT=rate_limit,
    )


def create_key(env: dict[str, str]) -> str:
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "shell", "-c", CREATE_BRAND], env=env, cwd=ROOT, check=True)
    result = subprocess.run(
        [*manage, "create_api_key", f"--tenant={BRAND_SLUG}", "--name=bench",
         "--scopes=members:read"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def start_gunicorn(
    env: dict[str, str], workers: int, threads: int, port: int
) -> subprocess.Popen[bytes]:
    # More than one thread makes gunicorn use its gthread worker, which keeps connections open.
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start listening within 30 s")


async def connection(
    port: int, request: bytes, stop_at: float, latencies: list[float], errors: list[int]
) -> None:
    writer: asyncio.StreamWriter | None = None
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            if writer is None:  # gunicorn's sync worker closes after every response
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length, close = 0, False
            for line in head.split(b"\r\n"):
                name = line.split(b":", 1)[0].lower()
                if name == b"content-length":
                    length = int(line.split(b":", 1)[1])
                elif name == b"connection":
                    close = b"close" in line.lower()
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
            if close:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


async def drive(port: int, key: str, path: str, seconds: float, connections: int) -> dict:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(connection(port, request, stop_at, latencies, errors) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="2,3,4", help="comma-separated worker counts")
    parser.add_argument("--threads", default="1", help="comma-separated threads per worker")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--path", default="/api/v1/tenant")
    parser.add_argument("--profile", action="store_true", help="cProfile in-process, no server")
    parser.add_argument(
        "--profile-sort", default="tottime", help="pstats sort key, e.g. cumulative"
    )
    parser.add_argument("--key", default=os.environ.get("BENCH_API_KEY"))
    # Far above what one key can send here: the Redis round trip is measured, never a 429.
    parser.add_argument("--rate-limit", default="10000000/min")
    args = parser.parse_args()

    default_root = "/tmp/api-bench-data"  # noqa: S108 - a throwaway stack
    root = Path(os.environ.get("APP_DATA_DIR", default_root)).resolve()
    stack = Stack(StackPaths(root), persistent=False)
    stack.paths.create()
    try:
        stack.start_services()
        stack.manage("migrate", "--verbosity=0", as_owner=True)
        env = server_env(stack.env, args.rate_limit)
        key = args.key or create_key(env)
        if args.profile:
            profile_env = dict(env, DJANGO_ALLOWED_HOSTS="testserver")
            command = [sys.executable, "-c", PROFILE, key, args.path, args.profile_sort]
            subprocess.run(command, env=profile_env, cwd=ROOT, check=True)
            return
        print(f"cpus={os.cpu_count()} path={args.path} connections={args.connections}")
        runs = [
            (int(workers), int(threads))
            for workers in args.workers.split(",")
            for threads in args.threads.split(",")
        ]
        for workers, threads in runs:
            port = free_port()
            server = start_gunicorn(env, workers, threads, port)
            try:
                asyncio.run(drive(port, key, args.path, args.warmup, args.connections))
                result = asyncio.run(drive(port, key, args.path, args.duration, args.connections))
            finally:
                server.terminate()
                server.wait(30)
            print(
                f"workers={workers} threads={threads} requests={result['requests']} "
                f"rps={result['rps']:.0f} "
                f"p50={result['p50_ms']:.1f}ms p99={result['p99_ms']:.1f}ms "
                f"errors={result['errors']} {result['error_statuses'] or ''}",
                flush=True,
            )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
