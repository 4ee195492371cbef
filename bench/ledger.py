"""The credit ledger under concurrency: reserve → capture × 2 → release from N clients.

    .venv/bin/python bench/ledger.py [--clients 16] [--brands 4] [--duration 20]

Each client is a process with its own database connection, looping over one brand's
account (clients share brands, so they contend on its row lock, as a brand's renders do). Every
few cycles a client also replays a capture it already made (a redelivered render message),
which must change nothing. Prints operations/s, latency per kind, and the anomalies found
afterwards: entries that do not add up to the account, open holds that do not add up to the
reservations, a capture written twice, credits gone missing (must all be zero).

Without DATABASE_URL it starts its own PostgreSQL and Redis (devstack) under APP_DATA_DIR
(default /tmp/ledger-bench-data), migrates as the owner role and runs as the app role.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.paths import StackPaths  # noqa: E402
from devstack.supervisor import Stack  # noqa: E402

START_CREDITS = Decimal(10_000_000)
RESERVE, CAPTURE = Decimal(3), Decimal(1)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def create_brands(count: int) -> list[int]:
    from billing import ledger
    from tenants.context import tenant_scope
    from tenants.models import Tenant

    ids = []
    for n in range(count):
        tenant = Tenant.objects.create(
            name=f"Ledger bench {n}", slug=f"ledger-bench-{time.time_ns()}-{n}"
        )
        with tenant_scope(tenant.pk):
            ledger.account_lock(tenant=tenant)
            ledger.credit_purchase(
                tenant=tenant, amount=START_CREDITS, idempotency_key="bench:funds",
                reference="bench", reason="bench funds",
            )  # fmt: skip
        ids.append(tenant.pk)
    return ids


def client(number: int, tenant_id: int, deadline: float, results: "multiprocessing.Queue") -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    from billing import ledger
    from tenants.context import tenant_scope
    from tenants.models import Tenant

    tenant = Tenant.objects.get(pk=tenant_id)
    timings: dict[str, list[float]] = {"reserve": [], "capture": [], "release": [], "replay": []}
    cycle = 0
    while time.monotonic() < deadline:
        reference = f"bench:{number}:{cycle}"
        started = time.perf_counter()
        with tenant_scope(tenant_id):
            ledger.credit_reserve(tenant=tenant, reference=reference, amount=RESERVE,
                                  idempotency_key=f"reserve:{reference}")  # fmt: skip
        timings["reserve"].append(time.perf_counter() - started)
        for render in range(2):
            started = time.perf_counter()
            with tenant_scope(tenant_id):
                ledger.credit_capture(tenant=tenant, reference=reference, amount=CAPTURE,
                                      idempotency_key=f"capture:{reference}:{render}")  # fmt: skip
            timings["capture"].append(time.perf_counter() - started)
        if cycle % 5 == 0:  # a redelivered render: the same key again
            started = time.perf_counter()
            with tenant_scope(tenant_id):
                ledger.credit_capture(tenant=tenant, reference=reference, amount=CAPTURE,
                                      idempotency_key=f"capture:{reference}:0")  # fmt: skip
            timings["replay"].append(time.perf_counter() - started)
        started = time.perf_counter()
        with tenant_scope(tenant_id):
            ledger.credit_release(tenant=tenant, reference=reference)
        timings["release"].append(time.perf_counter() - started)
        cycle += 1
    results.put((number, tenant_id, cycle, timings))


def anomalies(tenant_ids: list[int], cycles_by_brand: dict[int, int]) -> list[str]:
    from django.db.models import Count

    from billing import ledger
    from billing.models import CreditHold, LedgerEntry
    from tenants.context import tenant_scope
    from tenants.models import Tenant

    found = []
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            tenant = Tenant.objects.get(pk=tenant_id)
            found += [
                f"brand {tenant_id}: {a}" for a in ledger.ledger_verify(tenant=tenant).anomalies
            ]
            twice = (
                LedgerEntry.objects.filter(tenant=tenant).values("idempotency_key")
                .annotate(n=Count("id")).filter(n__gt=1).count()
            )  # fmt: skip
            if twice:
                found.append(f"brand {tenant_id}: {twice} idempotency keys written twice")
            open_holds = CreditHold.objects.filter(tenant=tenant, closed_at__isnull=True).count()
            if open_holds:
                found.append(f"brand {tenant_id}: {open_holds} holds left open")
            captures = LedgerEntry.objects.filter(tenant=tenant, kind="capture").count()
            expected = 2 * cycles_by_brand.get(tenant_id, 0)
            if captures != expected:
                found.append(f"brand {tenant_id}: {captures} captures, expected {expected}")
            # Whatever left the brand's hands went out through captures, none otherwise.
            check = ledger.ledger_verify(tenant=tenant)
            granted_total = sum(
                e.granted_delta for e in LedgerEntry.objects.filter(tenant=tenant, kind="grant")
            )
            expired_total = -sum(
                e.granted_delta for e in LedgerEntry.objects.filter(tenant=tenant, kind="expire")
            )
            held = check.account["reserved_granted"] + check.account["reserved_purchased"]
            left = check.account["granted"] + check.account["purchased"] + held
            gone = START_CREDITS + granted_total - expired_total - left
            if gone != CAPTURE * expected:
                found.append(
                    f"brand {tenant_id}: {gone} credits gone, {CAPTURE * expected} captured"
                )
    return found


def profile_one_client(tenant_id: int) -> None:
    import cProfile
    import pstats
    import queue

    profiler = cProfile.Profile()
    profiler.enable()
    client(0, tenant_id, time.monotonic() + 5, queue.Queue())  # type: ignore[arg-type]
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--brands", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--profile", action="store_true", help="cProfile one client in-process")
    args = parser.parse_args()

    stack = None
    if os.environ.get("DATABASE_URL"):
        env = dict(os.environ)
    else:
        default_root = "/tmp/ledger-bench-data"  # noqa: S108 - a throwaway stack
        stack = Stack(
            StackPaths(Path(os.environ.get("APP_DATA_DIR", default_root))), persistent=False
        )
        stack.paths.create()
        stack.start_services()
        stack.manage("migrate", "--verbosity=0", as_owner=True)
        env = dict(stack.env, APP_LOG_LEVEL="WARNING")
    try:
        setup_django(env)
        tenant_ids = create_brands(args.brands)
        if args.profile:
            profile_one_client(tenant_ids[0])
            return
        from django.db import connections

        connections.close_all()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        processes = [
            context.Process(
                target=client, args=(n, tenant_ids[n % len(tenant_ids)], deadline, results)
            )
            for n in range(args.clients)
        ]
        for process in processes:
            process.start()
        collected = [results.get(timeout=args.duration + 120) for _ in processes]
        for process in processes:
            process.join()
        elapsed = time.monotonic() - started

        timings: dict[str, list[float]] = {}
        cycles_by_brand: dict[int, int] = {}
        for _number, tenant_id, cycles, client_timings in collected:
            cycles_by_brand[tenant_id] = cycles_by_brand.get(tenant_id, 0) + cycles
            for kind, values in client_timings.items():
                timings.setdefault(kind, []).extend(values)
        operations = sum(len(values) for values in timings.values())
        print(
            f"cpus={os.cpu_count()} clients={args.clients} brands={args.brands} "
            f"duration={elapsed:.1f}s cycles={sum(cycles_by_brand.values())}"
        )
        print(
            f"operations/s: {operations / elapsed:,.0f} "
            "(reserve, capture, replayed capture, release)"
        )
        for kind, values in timings.items():
            print(
                f"  {kind:8} n={len(values):6}  p50 {percentile(values, 0.5):6.2f} ms  "
                f"p99 {percentile(values, 0.99):6.2f} ms  "
                f"mean {statistics.fmean(values) * 1000:6.2f} ms"
            )
        found = anomalies(tenant_ids, cycles_by_brand)
        print(f"anomalies: {len(found)}")
        for line in found[:20]:
            print(f"  {line}")
        if found:
            sys.exit(1)
    finally:
        if stack is not None:
            stack.stop_all()


if __name__ == "__main__":
    main()
