"""The whole generation path on real Celery workers, Redis, PostgreSQL and storage.

    .venv/bin/python bench/pipeline.py --assets 2000 [--channel live_1080x1920] [--concurrency 2]

Starts its own PostgreSQL and Redis (devstack's classes) under APP_DATA_DIR (default
/tmp/pipeline-bench-data), a Celery worker with production settings, and a new brand with a
cut-out product. Then it measures, printing each figure:

1. idle latency: single-asset interactive jobs one after another, submit → job finished;
2. throughput: --assets renders as bulk jobs of up to 200 variants submitted at once,
   finished assets/s from the first submit to the last finished job, and each asset's
   submit → ready latency;
3. where a render's time goes, from the timings each render records (the marks every asset
   carries included: watermark, fingerprint, encode with metadata, C2PA signature).

Assets are signed with a development C2PA chain made for the run, unless --no-c2pa.
"""

import argparse
import contextlib
import io
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.paths import StackPaths  # noqa: E402
from devstack.supervisor import Stack  # noqa: E402

SCRIPT = (ROOT / "tests" / "generation" / "fixtures" / "scripts" / "skincare_zh.txt").read_text()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def start_worker(env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
    log = open(Path(env["APP_DATA_DIR"]) / "worker.log", "wb")  # noqa: SIM115 - lives with it
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--queues",
         "default,render", "--concurrency", str(concurrency), "--pool", "prefork",
         "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_jobs(job_ids: list[int], tenant_id: int, timeout: float) -> None:
    from generation.models import Job
    from tenants.context import tenant_scope

    deadline = time.monotonic() + timeout
    while True:
        with tenant_scope(tenant_id):
            left = (
                Job.objects.filter(tenant_id=tenant_id, pk__in=job_ids)
                .exclude(status__in=Job.FINISHED)
                .count()
            )
        if not left:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"{left} jobs still unfinished after {timeout:.0f} s.")
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=2000)
    parser.add_argument("--channel", default="live_1080x1920")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--idle-jobs", type=int, default=30)
    parser.add_argument(
        "--no-c2pa", action="store_true", help="do not sign assets (no C2PA chain configured)"
    )
    args = parser.parse_args()
    root = Path(os.environ.get("APP_DATA_DIR", "/tmp/pipeline-bench-data")).resolve()  # noqa: S108
    stack = Stack(StackPaths(root), persistent=False)
    stack.paths.create()
    worker = None
    try:
        stack.start_services()
        stack.manage("migrate", "--verbosity=0", as_owner=True)
        env = dict(
            stack.env,
            APP_DATA_DIR=str(root),
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            APP_LOG_LEVEL="WARNING",
        )
        if not args.no_c2pa:
            # Every asset is C2PA-signed, as in production with a signing certificate.
            certs = root / "c2pa"
            stack.manage("c2pa_dev_certs", "--out", str(certs), "--force")
            env.update(
                APP_C2PA_CERT_CHAIN=str(certs / "chain.pem"),
                APP_C2PA_PRIVATE_KEY=str(certs / "leaf.key"),
                APP_C2PA_TRUST_ANCHORS=str(certs / "root.pem"),
            )
        os.environ.update(env)
        worker = start_worker(env, args.concurrency)
        run(args)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        stack.stop_all()


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from celery import current_app

    from billing.ledger import credit_purchase
    from billing.plans import plan_assign
    from generation import catalog, jobs, selectors
    from generation.images import image_intake
    from generation.models import Job, Render
    from tenants.context import tenant_scope
    from tenants.models import Tenant
    from tests.generation.image_samples import cut_out_png, encode

    # A new brand each run: its library holds this run's posters only, whatever ran before in
    # the same data directory (the database outlives a run).
    tenant = Tenant.objects.create(slug=f"bench-{secrets.token_hex(4)}", name="Lumière 光屿护肤")
    with tenant_scope(tenant.pk):
        # Credits for every render the bench sends: each job reserves, each render captures.
        plan_assign(tenant=tenant, plan_code="team", actor=None, reason="bench")
        credit_purchase(
            tenant=tenant,
            amount=Decimal(args.assets + 1000),
            idempotency_key=f"bench:{secrets.token_hex(4)}",
            reference="bench",
            reason="bench credits",
        )
        product = catalog.product_create(
            tenant=tenant,
            user=None,
            fields=catalog.ProductFields(sku=f"B-{secrets.token_hex(3)}", title="玻尿酸精华液"),
        )
        catalog.product_photo_add(
            tenant=tenant,
            user=None,
            product_id=product.pk,
            image=image_intake(encode(cut_out_png(), "PNG"), purpose="product"),
        )
    deadline = time.monotonic() + 60
    while not current_app.control.ping(timeout=0.5):
        if time.monotonic() > deadline:
            raise SystemExit("The Celery worker did not answer within 60 s.")

    def submit(variants: int, lane: str) -> Job:
        request = jobs.JobRequest(
            script=SCRIPT,
            product_ids=(product.pk,),
            channels=(args.channel,),
            variants=variants,
            lane=lane,
            seed=secrets.randbelow(2**62),
        )
        with tenant_scope(tenant.pk):
            job, _ = jobs.job_create(tenant=tenant, user=None, request=request)
        return job

    print(f"cpus={os.cpu_count()} worker concurrency={args.concurrency} channel={args.channel}")
    # 1. Idle latency, a warm-up job first (each pool process loads fonts and jieba once).
    for _ in range(2 * args.concurrency):
        warm = submit(1, Job.Lane.INTERACTIVE)
        wait_jobs([warm.pk], tenant.pk, 120)
    latencies = []
    for _ in range(args.idle_jobs):
        started = time.perf_counter()
        job = submit(1, Job.Lane.INTERACTIVE)
        wait_jobs([job.pk], tenant.pk, 60)
        latencies.append((time.perf_counter() - started) * 1000)
    print(
        f"idle single asset, submit → job finished ({args.idle_jobs} jobs): "
        f"p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"max {max(latencies):.0f} ms"
    )
    with tenant_scope(tenant.pk):
        idle = list(
            Job.objects.filter(tenant=tenant)
            .order_by("-pk")[: args.idle_jobs]
            .values("created_at", "planned_at", "finished_at", "renders__finished_at")
        )
    stages = {
        "submit → planned": [(j["planned_at"] - j["created_at"]) for j in idle],
        "planned → rendered": [(j["renders__finished_at"] - j["planned_at"]) for j in idle],
        "rendered → finished": [(j["finished_at"] - j["renders__finished_at"]) for j in idle],
    }
    print(
        "  median per stage: "
        + ", ".join(
            f"{name} {statistics.median(d.total_seconds() for d in values) * 1000:.0f} ms"
            for name, values in stages.items()
        )
    )

    # 2. Throughput.
    sizes = [min(200, args.assets - done) for done in range(0, args.assets, 200)]
    started = time.perf_counter()
    batch = [submit(size, Job.Lane.BULK) for size in sizes]
    submitted = time.perf_counter() - started
    wait_jobs([job.pk for job in batch], tenant.pk, 3600)
    elapsed = time.perf_counter() - started
    with tenant_scope(tenant.pk):
        renders = list(
            Render.objects.filter(tenant=tenant, job__in=batch).values(
                "status", "timings", "finished_at", "job__created_at"
            )
        )
    done = [r for r in renders if r["status"] == Render.Status.DONE]
    with tenant_scope(tenant.pk):
        duplicates = [selectors.job_duplicates(tenant=tenant, job=job) for job in batch]
    print(
        "near-duplicates: "
        f"{sum(d.redraws for d in duplicates)} draws thrown away, "
        f"{sum(d.delivered for d in duplicates)} delivered flagged of {len(done)} "
        f"({sum(d.delivered for d in duplicates) / max(1, len(done)):.2%})"
    )
    with tenant_scope(tenant.pk):
        flagged_describe(tenant, batch)
        dedup_breakdown(tenant, batch)
    ready = [(r["finished_at"] - r["job__created_at"]).total_seconds() * 1000 for r in done]
    print(
        f"throughput: {len(done)}/{len(renders)} assets in {elapsed:.1f} s "
        f"(submitting {len(batch)} jobs took {submitted:.2f} s): "
        f"{len(done) / elapsed:.1f} finished assets/s"
    )
    print(
        f"submit → ready per asset under that load: p50 {statistics.median(ready) / 1000:.1f} s, "
        f"p95 {percentile(ready, 0.95) / 1000:.1f} s"
    )

    # 3. Where the time goes.
    parts = [
        "compose", "text", "dedup", "watermark", "fingerprint", "encode", "c2pa", "store",
        "index", "total",
    ]  # fmt: skip
    print("per render, from its recorded timings (ms): mean / p95")
    for part in parts:
        values = [r["timings"][part] for r in done if part in r["timings"]]
        if values:
            print(f"  {part:>8}: {statistics.fmean(values):7.1f} / {percentile(values, 0.95):7.1f}")
    per_core_ms = elapsed * 1000 * args.concurrency / max(1, len(done))
    mean_total = statistics.fmean(r["timings"]["total"] for r in done)
    print(
        f"  wall per asset per worker process: {per_core_ms:.1f} ms, of which inside "
        f"render_execute {mean_total:.1f} ms; the rest ({per_core_ms - mean_total:.1f} ms) is "
        "Celery (broker round trips, result/chord bookkeeping) and the task's transaction"
    )


def flagged_describe(tenant: Any, batch: list[Any]) -> None:
    """What the delivered near-duplicates collided with: the layout, the distance, and whether
    the two posters show the same headline (a poster is one picture and one text)."""
    from generation.models import Render

    flagged = Render.objects.filter(tenant=tenant, job__in=batch, status=Render.Status.DONE)
    flagged = flagged.filter(duplicate__has_key="asset_id")
    for render in flagged:
        other = (
            Render.objects.filter(tenant=tenant, asset_id=render.duplicate["asset_id"])
            .order_by("pk")
            .first()
        )
        if other is None:
            continue
        print(
            f"  flagged render {render.pk} ({render.layout}, {render.redraws} redraws, "
            f"distance {render.duplicate.get('distance')}, {render.duplicate.get('source')}): "
            f"{render.copy['headline']!r} vs {other.copy['headline']!r} ({other.layout})"
        )


def dedup_breakdown(tenant: Any, batch: list[Any], samples: int = 200) -> None:
    """What one render's dedup step spends, each part timed alone against the library the run
    built: the copy's fingerprints and check, the poster's hashes, and one image check."""
    from PIL import Image

    from generation import storage
    from generation.models import Render
    from library import copy_hashes, dedup, image_hashes
    from provenance import fingerprint

    renders = list(
        Render.objects.filter(tenant=tenant, job__in=batch, status=Render.Status.DONE)
        .select_related("asset")
        .order_by("?")[:samples]
    )
    parts: dict[str, list[float]] = {}

    @contextlib.contextmanager
    def timed(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        parts.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    for render in renders:
        text = copy_hashes.copy_text(render.copy)
        with timed("copy simhash"):
            bits = copy_hashes.simhash(text)
        with timed("headline simhash"):
            headline = copy_hashes.simhash(copy_hashes.headline_text(render.copy))
        with timed("copy check (SQL)"):
            dedup.copy_check(tenant_id=tenant.pk, render_id=render.pk, bits=bits)
        data = storage.read_bytes(render.asset.file.name)
        image = Image.open(io.BytesIO(data)).convert("RGB")
        with timed("shrink"):
            small = fingerprint.shrink(image)
        with timed("signature"):
            signature = image_hashes.signature(small)
        with timed("image check (SQL)"):
            dedup.image_check(
                tenant_id=tenant.pk, job_id=render.job_id, query=signature,
                headline_bits=headline, product_id=render.product_id,
            )  # fmt: skip
    print(f"dedup step, each part alone against the library ({len(renders)} renders): mean / p95")
    for name, values in parts.items():
        print(f"  {name:>18}: {statistics.fmean(values):6.2f} / {percentile(values, 0.95):6.2f}")


if __name__ == "__main__":
    main()
