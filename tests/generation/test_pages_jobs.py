import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from generation import storage
from generation.models import Asset, Job, Render
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member, rows

from .factories import job
from .image_samples import encode, noise

pytestmark = pytest.mark.django_db

ANALYSIS = {
    "language": "zh",
    "keywords": ["玻尿酸", "补水"],
    "selling_points": ["补水保湿一整天"],
    "tone": "energetic",
    "prices": [
        {
            "kind": "price",
            "text": "到手价199元",
            "amount": "199",
            "percent": None,
            "currency": "CNY",
        }
    ],
    "offers": ["买一送一"],
    "character_count": 120,
    "notes": [],
}


def logged_in(tenant, role=Role.EDITOR) -> Client:
    client = Client()
    client.force_login(member(tenant, role).user)
    return client


def settle(tenant, job_row: Job, statuses: list[str], status: str | None = None) -> Job:
    """Give the job renders in `statuses` (done ones with a stored image), as the pipeline would."""
    now = timezone.now()
    with tenant_scope(tenant.pk):
        for variant, render_status in enumerate(statuses):
            asset = None
            if render_status == Render.Status.DONE:
                data = encode(noise("RGB", (90, 160), seed=job_row.pk * 100 + variant), "JPEG")
                digest = hashlib.sha256(data).hexdigest()
                key = storage.store_once(
                    storage.tenant_key(tenant.pk, "assets", f"{digest[:16]}.jpg"), data
                )
                asset = Asset.objects.create(
                    tenant=tenant,
                    file=key,
                    content_type="image/jpeg",
                    width=90,
                    height=160,
                    size_bytes=len(data),
                    sha256=digest,
                    render_key=digest,
                )
            Render.objects.create(
                tenant=tenant,
                job=job_row,
                channel=job_row.channels[0],
                variant=variant,
                width=1080,
                height=1920,
                seed=variant,
                copy={"headline": f"补水精华 {variant}"},
                status=render_status,
                error="Compositor ran out of fonts" if render_status == "failed" else "",
                asset=asset,
                is_cache_hit=variant == 1,
                finished_at=None if render_status == "pending" else now,
            )
        Job.objects.filter(pk=job_row.pk).update(
            status=status or Job.Status.RUNNING,
            analysis=ANALYSIS,
            planned_at=now,
            finished_at=now if status in Job.FINISHED else None,
        )
        return Job.objects.get(pk=job_row.pk)


# JOBS LIST ----------------------------------------------------------------------------------


def test_the_list_shows_status_progress_and_channels():
    tenant = TenantFactory()
    running = settle(tenant, job(tenant, channels=("live_1080x1920",)), ["done", "pending"])

    response = logged_in(tenant, Role.VIEWER).get("/jobs/")

    assert response.status_code == 200
    text = response.text
    assert f'href="/jobs/{running.pk}/"' in text
    assert '<span class="badge status-running">Running</span>' in text
    assert "1 / 2" in text
    assert "直播间 Live stream 1080×1920" in text


def test_the_list_filters_by_status():
    tenant = TenantFactory()
    queued = job(tenant)
    failed = settle(tenant, job(tenant), ["failed"], status=Job.Status.FAILED)

    response = logged_in(tenant).get("/jobs/?status=failed")

    assert [row.job.pk for row in response.context["rows"]] == [failed.pk]
    assert f'href="/jobs/{queued.pk}/"' not in response.text


def test_another_brands_jobs_are_not_listed():
    mine, theirs = TenantFactory(), TenantFactory()
    job(theirs)

    response = logged_in(mine).get("/jobs/")

    assert response.context["rows"] == []
    assert "No jobs yet." in response.text


def test_the_list_costs_the_same_queries_for_many_jobs(django_assert_max_num_queries):
    tenant = TenantFactory()
    client = logged_in(tenant)
    settle(tenant, job(tenant), ["done"], status=Job.Status.SUCCEEDED)
    with django_assert_max_num_queries(20) as few:
        client.get("/jobs/")
    for _ in range(12):
        settle(tenant, job(tenant), ["done", "failed"], status=Job.Status.PARTIALLY_FAILED)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/jobs/")

    assert len(response.context["rows"]) == 13


# JOB PAGE -----------------------------------------------------------------------------------


def test_the_job_page_shows_progress_timings_gallery_errors_and_analysis():
    tenant = TenantFactory()
    finished = settle(
        tenant, job(tenant), ["done", "done", "failed"], status=Job.Status.PARTIALLY_FAILED
    )

    response = logged_in(tenant, Role.VIEWER).get(f"/jobs/{finished.pk}/")

    assert response.status_code == 200
    text = response.text
    assert "Partially failed" in text
    assert "<strong>2</strong> / 3" in text
    assert "Compositor ran out of fonts" in text
    assert text.count('<li class="tile tile-done">') == 2
    assert text.count('<li class="tile tile-failed">') == 1
    assert text.count(">Download</a>") == 2
    assert "cached" in text
    assert '<span class="chip keyword">玻尿酸</span>' in text and "到手价199元" in text
    assert 'hx-trigger="every 1s"' not in text
    assert "Retry failed" not in text  # a viewer sees no actions


def test_editors_see_the_actions_that_fit_the_status():
    tenant = TenantFactory()
    client = logged_in(tenant)
    running = settle(tenant, job(tenant), ["pending"])
    failed = settle(tenant, job(tenant), ["failed"], status=Job.Status.FAILED)

    running_page = client.get(f"/jobs/{running.pk}/").text
    failed_page = client.get(f"/jobs/{failed.pk}/").text

    assert "Cancel</button>" in running_page and "Retry failed" not in running_page
    assert "Retry failed" in failed_page and "Cancel</button>" not in failed_page
    assert "Run again (new seed)" in failed_page
    assert f'href="/generate/?from={failed.pk}"' in failed_page


def test_the_gallery_images_load_inline_without_a_session():
    tenant = TenantFactory()
    finished = settle(tenant, job(tenant), ["done"], status=Job.Status.SUCCEEDED)
    page = logged_in(tenant).get(f"/jobs/{finished.pk}/").text
    thumbnail, full = re.findall(r'(?:src|href)="(/files/[^"]+/view)"', page)[:2]
    download = re.search(r'href="(/files/[^"/]+)">Download', page)[1]
    anonymous = Client()

    responses = [anonymous.get(url) for url in (thumbnail, full, download)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r["Content-Type"] for r in responses] == ["image/jpeg"] * 3
    assert [r["Content-Disposition"].split(";")[0] for r in responses] == [
        "inline",
        "inline",
        "attachment",
    ]


def test_the_progress_partial_polls_until_the_job_has_finished():
    tenant = TenantFactory()
    client = logged_in(tenant, Role.VIEWER)
    running = settle(tenant, job(tenant), ["done", "pending"])

    polling = client.get(f"/jobs/{running.pk}/progress/", HTTP_HX_REQUEST="true")
    settle(tenant, running, [], status=Job.Status.SUCCEEDED)
    with tenant_scope(tenant.pk):
        Render.objects.filter(job=running, status="pending").update(status="done")
    finished = client.get(f"/jobs/{running.pk}/progress/", HTTP_HX_REQUEST="true")

    assert polling.status_code == finished.status_code == 200
    assert "<html" not in polling.text
    assert 'hx-trigger="every 1s"' in polling.text
    assert f'hx-get="/jobs/{running.pk}/progress/"' in polling.text
    assert 'id="job-live"' in finished.text
    assert "hx-trigger" not in finished.text and "hx-get" not in finished.text


def test_a_queued_job_says_it_is_writing_copy():
    tenant = TenantFactory()
    queued = job(tenant, channels=("main_800x800", "banner_1200x628"), variants=3)

    response = logged_in(tenant).get(f"/jobs/{queued.pk}/")

    assert "<strong>0</strong> / 6" in response.text
    assert "Reading the script and writing copy" in response.text
    assert 'hx-trigger="every 1s"' in response.text


# ACTIONS ------------------------------------------------------------------------------------


def test_an_editor_cancels_a_running_job():
    tenant = TenantFactory()
    running = settle(tenant, job(tenant), ["done", "pending"])

    response = logged_in(tenant).post(f"/jobs/{running.pk}/cancel/", follow=True)

    assert response.redirect_chain == [(f"/jobs/{running.pk}/", 302)]
    assert "Job cancelled." in response.text
    [cancelled] = rows(Job, tenant)
    assert cancelled.status == Job.Status.CANCELLED
    assert [r.status for r in rows(Render, tenant)] == ["done", "cancelled"]


def test_cancelling_a_finished_job_explains_why_not():
    tenant = TenantFactory()
    finished = settle(tenant, job(tenant), ["done"], status=Job.Status.SUCCEEDED)

    response = logged_in(tenant).post(f"/jobs/{finished.pk}/cancel/", follow=True)

    assert "The job is already succeeded" in response.text
    assert rows(Job, tenant)[0].status == Job.Status.SUCCEEDED


def test_retry_sends_the_failed_renders_round_again():
    tenant = TenantFactory()
    failed = settle(tenant, job(tenant), ["done", "failed"], status=Job.Status.PARTIALLY_FAILED)

    response = logged_in(tenant).post(f"/jobs/{failed.pk}/retry/", follow=True)

    assert "1 failed images are being rendered again." in response.text
    assert rows(Job, tenant)[0].status == Job.Status.RUNNING
    assert [r.status for r in rows(Render, tenant)] == ["done", "pending"]


def test_run_again_clones_the_job_with_a_new_seed():
    tenant = TenantFactory()
    source = settle(tenant, job(tenant, seed=7), ["done"], status=Job.Status.SUCCEEDED)

    response = logged_in(tenant).post(f"/jobs/{source.pk}/clone/")

    _source, clone = rows(Job, tenant)
    assert response["Location"] == f"/jobs/{clone.pk}/"
    assert clone.cloned_from_id == source.pk
    assert (clone.script, clone.channels, clone.variants) == (
        source.script,
        source.channels,
        source.variants,
    )
    assert clone.seed != 7


@pytest.mark.parametrize("action", ["cancel", "retry", "clone"])
def test_viewers_cannot_act_on_jobs(action):
    tenant = TenantFactory()
    failed = settle(tenant, job(tenant), ["failed"], status=Job.Status.FAILED)
    before = [(j.pk, j.status) for j in rows(Job, tenant)]

    response = logged_in(tenant, Role.VIEWER).post(f"/jobs/{failed.pk}/{action}/")

    assert response.status_code == 403
    assert [(j.pk, j.status) for j in rows(Job, tenant)] == before
    assert [r.status for r in rows(Render, tenant)] == ["failed"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/jobs/{id}/"),
        ("get", "/jobs/{id}/progress/"),
        ("post", "/jobs/{id}/cancel/"),
        ("post", "/jobs/{id}/retry/"),
        ("post", "/jobs/{id}/clone/"),
    ],
)
def test_another_brands_job_is_not_found_and_not_touched(method, path):
    mine, theirs = TenantFactory(), TenantFactory()
    their_job = settle(theirs, job(theirs), ["failed", "pending"])

    response = getattr(logged_in(mine), method)(path.format(id=their_job.pk))

    assert response.status_code == 404
    assert [(j.pk, j.status) for j in rows(Job, theirs)] == [(their_job.pk, "running")]
    assert [r.status for r in rows(Render, theirs)] == ["failed", "pending"]
    assert rows(Job, mine) == []
