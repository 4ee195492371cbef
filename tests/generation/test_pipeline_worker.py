"""The whole pipeline on real Celery workers, Redis and PostgreSQL: plan → renders → finalize,
and what happens when a worker dies or Redis forgets everything mid-job."""

import io
import os
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from rest_framework.test import APIClient

from billing.models import LedgerEntry
from generation import jobs, rendering, storage
from generation.models import Asset, Job, Render
from provenance import watermark
from tenants.context import tenant_scope
from tests.billing.factories import anomalies, balance
from tests.tenants.factories import TenantFactory, api_key, rows

from .factories import product, product_photo
from .image_samples import cut_out_png, encode

pytestmark = pytest.mark.celery_worker

SCRIPT = (Path(__file__).parent / "fixtures" / "scripts" / "skincare_zh.txt").read_text()
RECOVERY = {"APP_RENDER_STUCK_AFTER": "2", "APP_RECOVERY_INTERVAL": "1"}


def submit(tenant, **request) -> Job:
    values = {"script": SCRIPT, "channels": ("main_800x800",), "variants": 2, "seed": 11}
    values.update(request)
    with tenant_scope(tenant.pk):  # commits on exit, which sends the plan task
        job, _ = jobs.job_create(tenant=tenant, user=None, request=jobs.JobRequest(**values))
    return job


def wait_finished(tenant, job: Job, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        with tenant_scope(tenant.pk):
            job = Job.objects.get(tenant=tenant, pk=job.pk)
        if job.is_finished:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job.pk} still {job.status} after {timeout} s")
        time.sleep(0.2)


def wait_until(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def renders_of(tenant, job: Job) -> list[Render]:
    """The job's renders with their assets, read inside the brand's scope (RLS hides them else)."""
    with tenant_scope(tenant.pk):
        return list(
            Render.objects.filter(tenant=tenant, job=job)
            .select_related("asset")
            .order_by("channel", "variant")
        )


def assert_each_render_done_exactly_once(tenant, job: Job, expected: int) -> list[Render]:
    renders = renders_of(tenant, job)
    assert len(renders) == expected
    assert {r.status for r in renders} == {Render.Status.DONE}
    assert [r.attempts for r in renders] == [1] * expected
    assets = rows(Asset, tenant)
    assert len(assets) == expected
    assert sorted(r.asset_id for r in renders) == sorted(a.pk for a in assets)
    # Charged once for the delivered renders, whatever was redelivered; the rest went back.
    captures = rows(LedgerEntry, tenant, kind="capture", reference=job.credit_reference)
    charged = sum(job.render_price(r.channel) for r in renders)
    assert [-(e.available_delta + e.reserved_delta) for e in captures] == [charged]
    assert balance(tenant)["reserved"] == Decimal(0)
    assert anomalies(tenant) == []
    return renders


def test_a_job_renders_every_channel_and_variant_with_its_receipt(celery_worker):
    tenant = TenantFactory(name="Lumière 光屿护肤")
    cream = product(tenant, reference_price=Decimal("299.00"), reference_price_basis="前30日最低价")
    product_photo(tenant, cream, encode(cut_out_png(), "PNG"))

    job = wait_finished(
        tenant,
        submit(
            tenant,
            product_ids=(cream.pk,),
            channels=("live_1080x1920", "banner_1200x628"),
            variants=3,
        ),
    )

    assert job.status == Job.Status.SUCCEEDED
    assert job.analysis["language"] == "zh"
    renders = assert_each_render_done_exactly_once(tenant, job, expected=6)
    headlines = {r.copy["headline"] for r in renders}
    assert len(headlines) == 3  # one per variant, shared across the channels
    for render in renders:
        asset = render.asset
        data = storage.read_bytes(asset.file.name)
        image = Image.open(io.BytesIO(data))
        assert (image.format, image.size) == ("JPEG", (render.width, render.height))
        assert asset.file.name.startswith(f"tenants/{tenant.pk}/assets/")
        assert asset.receipt["seed"] == render.seed
        assert asset.receipt["layout"] == render.layout != ""
        assert asset.receipt["brand_kit_version"] == 1
        assert asset.receipt["copy"] == render.copy
        assert asset.receipt["image_backend"]["name"] == "compositor"
        assert asset.receipt["product_photo_sha256"] is not None


def test_an_identical_job_reuses_the_stored_assets(celery_worker):
    tenant = TenantFactory()
    first = wait_finished(tenant, submit(tenant, variants=3, seed=99))

    again = wait_finished(tenant, submit(tenant, variants=3, seed=99))

    first_renders, again_renders = rows(Render, tenant, job=first), rows(Render, tenant, job=again)
    assert again.status == Job.Status.SUCCEEDED
    assert [r.is_cache_hit for r in again_renders] == [True, True, True]
    assert [r.asset_id for r in again_renders] == [r.asset_id for r in first_renders]
    assert len(rows(Asset, tenant)) == 3
    _row, key = api_key(tenant, scopes=["jobs:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"/api/v1/jobs/{again.pk}").json()["progress"]["cache_hits"] == 3


def test_render_again_gives_the_same_pixels(celery_worker):
    # Two brands with the same name, kit and request render independently (no shared cache):
    # their drawings are identical, and each file adds only the marks that name its own asset.
    one, two = TenantFactory(name="Twin"), TenantFactory(name="Twin")

    jobs_done = [wait_finished(t, submit(t, variants=2, seed=1234)) for t in (one, two)]

    drawings, files = [], []
    for tenant, job in zip((one, two), jobs_done, strict=True):
        with tenant_scope(tenant.pk):
            renders = renders_of(tenant, job)
            drawings.append(
                sorted(rendering.render_again(r, visible_label=True)[0].data for r in renders)
            )
            files.append({r.asset_id: storage.read_bytes(r.asset.file.name) for r in renders})
    assert drawings[0] == drawings[1]
    assert len(set(drawings[0])) == 2
    for by_asset in files:
        for asset_id, data in by_asset.items():
            found = watermark.detect(Image.open(io.BytesIO(data)))
            assert found.payload is not None and found.payload.asset_id == asset_id


def test_a_failing_render_leaves_the_job_partially_failed_and_retry_finishes_it(celery_worker):
    tenant = TenantFactory()
    good, broken = product(tenant, sku="GOOD"), product(tenant, sku="BROKEN", title="破损的商品")
    product_photo(tenant, good, encode(cut_out_png(), "PNG"))
    photo = product_photo(tenant, broken, encode(cut_out_png().convert("RGB"), "JPEG"))
    stored = Path(storage.media_storage().path(photo.file.name))
    original = stored.read_bytes()
    stored.write_bytes(b"this object was damaged in storage")

    job = wait_finished(tenant, submit(tenant, product_ids=(good.pk, broken.pk), variants=2))

    assert job.status == Job.Status.PARTIALLY_FAILED
    by_variant = {r.variant: r for r in rows(Render, tenant, job=job)}
    assert by_variant[0].status == Render.Status.DONE
    assert by_variant[1].status == Render.Status.FAILED
    assert by_variant[1].error != ""
    _row, key = api_key(tenant, scopes=["jobs:read", "jobs:write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    detail = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert detail["errors"] == [
        {"render_id": by_variant[1].pk, "channel": "main_800x800", "variant": 1,
         "error": by_variant[1].error},
    ]  # fmt: skip

    stored.write_bytes(original)
    assert client.post(f"/api/v1/jobs/{job.pk}/retry").status_code == 202
    retried = wait_finished(tenant, job)

    assert retried.status == Job.Status.SUCCEEDED


def test_killing_a_pool_process_mid_render_loses_nothing_and_renders_once(
    start_worker, redis_client
):
    start_worker(APP_TEST_RENDER_SECONDS="0.6")
    tenant = TenantFactory()
    job = submit(tenant, image_backend="slow-compositor", variants=6)
    wait_until(lambda: redis_client.llen("test:render-starts") >= 1)
    pid = int(redis_client.lindex("test:render-starts", 0).decode().split(":")[0])

    os.kill(pid, signal.SIGKILL)
    finished = wait_finished(tenant, job)

    assert finished.status == Job.Status.SUCCEEDED
    assert_each_render_done_exactly_once(tenant, finished, expected=6)
    assert redis_client.llen("test:render-starts") >= 7  # the killed render started again


def test_a_job_survives_the_death_of_its_whole_worker(start_worker, redis_client):
    first = start_worker(APP_TEST_RENDER_SECONDS="0.6")
    tenant = TenantFactory()
    job = submit(tenant, image_backend="slow-compositor", variants=6)
    wait_until(lambda: redis_client.llen("test:render-starts") >= 2)

    first.kill_everything()
    start_worker(beat=True, APP_TEST_RENDER_SECONDS="0.1", **RECOVERY)
    finished = wait_finished(tenant, job)

    assert finished.status == Job.Status.SUCCEEDED
    assert_each_render_done_exactly_once(tenant, finished, expected=6)


def test_flushing_redis_mid_job_loses_nothing(start_worker, redis_client):
    start_worker(beat=True, APP_TEST_RENDER_SECONDS="0.3", **RECOVERY)
    tenant = TenantFactory()
    job = submit(tenant, image_backend="slow-compositor", variants=10)
    wait_until(lambda: redis_client.llen("test:render-starts") >= 3)

    redis_client.flushall()  # every queued message, the chord's counter and results: gone
    finished = wait_finished(tenant, job)

    assert finished.status == Job.Status.SUCCEEDED
    assert_each_render_done_exactly_once(tenant, finished, expected=10)


def test_an_interactive_job_overtakes_a_bulk_backlog(start_worker, redis_client):
    start_worker(APP_TEST_RENDER_SECONDS="0.25")
    tenant = TenantFactory()
    bulk = submit(tenant, image_backend="slow-compositor", variants=40, lane="bulk")
    wait_until(lambda: redis_client.llen("test:render-starts") >= 2)

    submitted = time.monotonic()
    interactive = wait_finished(
        tenant, submit(tenant, image_backend="slow-compositor", variants=1, seed=5), timeout=30
    )
    waited = time.monotonic() - submitted

    with tenant_scope(tenant.pk):
        bulk_left = Render.objects.filter(
            tenant=tenant, job=bulk, status=Render.Status.PENDING
        ).count()
    assert interactive.status == Job.Status.SUCCEEDED
    assert bulk_left > 10  # the bulk job was far from done, yet did not hold the interactive one
    assert waited < 5


def test_a_finished_job_is_announced_to_the_brands_webhook_endpoints(celery_worker):
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    tenant = TenantFactory()
    with tenant_scope(tenant.pk):
        WebhookEndpoint.objects.create(
            tenant=tenant,
            url="https://hooks.example.test/brandloom",
            secret="whsec_test",
            event_types=["job.finished", "job.failed"],
        )

    job = wait_finished(tenant, submit(tenant, variants=2))

    deliveries = rows(WebhookDelivery, tenant)
    assert [d.event_type for d in deliveries] == ["job.finished"]
    assert deliveries[0].payload["job"] == {
        "id": job.pk,
        "status": "succeeded",
        "renders": 2,
        "done": 2,
        "failed": 0,
        "error": "",
        "finished_at": job.finished_at.isoformat(),
    }
