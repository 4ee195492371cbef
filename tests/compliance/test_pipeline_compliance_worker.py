"""The ad-law check on real Celery workers, Redis and PostgreSQL: a job's held renders, an edit
that the worker renders again, and a moderator's rejection refunded once."""

import time

import pytest
from rest_framework.test import APIClient

from billing.models import LedgerEntry
from compliance import moderation
from compliance.models import ModerationCase
from generation import jobs
from generation.models import Job, Render
from tenants.context import tenant_scope
from tests.billing.factories import anomalies
from tests.tenants.factories import TenantFactory, UserFactory, api_key, rows

from .factories import HELD_SCRIPT, fresh, review_items

pytestmark = pytest.mark.celery_worker

EDITED = {
    "headline": "温和清洁好帮手",
    "subheadline": "早晚都能用",
    "bullets": ["温和配方", "清爽不黏", "日常好物"],
    "cta": "马上下单",
    "host_line": "家人们，温和清洁，早晚都能用！",
    "social_post": "分享一个温和的好物 #好物",
}


def wait_until(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.2)


def test_held_renders_are_approved_edited_re_rendered_and_refunded_on_a_real_worker(
    celery_worker,
):
    tenant = TenantFactory()
    with tenant_scope(tenant.pk):
        job, _ = jobs.job_create(
            tenant=tenant,
            user=None,
            request=jobs.JobRequest(script=HELD_SCRIPT, channels=("main_800x800",), variants=2),
        )
    wait_until(lambda: fresh(tenant, Job, job.pk).is_finished)
    _row, key = api_key(tenant, scopes=["assets:read", "compliance:review"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    assets = client.get(f"/api/v1/jobs/{job.pk}/assets").json()["results"]
    assert fresh(tenant, Job, job.pk).status == Job.Status.SUCCEEDED
    assert [(a["status"], a["compliance"]["state"], a["asset"]["url"]) for a in assets] == [
        ("done", "held", None),
        ("done", "held", None),
    ]
    first, second = review_items(tenant, job)
    old_asset = fresh(tenant, Render, first.render_id).asset_id

    edited = client.post(
        f"/api/v1/compliance/review-items/{first.pk}/edit", {"copy": EDITED}, format="json"
    )
    assert edited.status_code == 200, edited.content
    wait_until(lambda: fresh(tenant, Render, first.render_id).status == Render.Status.DONE)
    approved = client.post(f"/api/v1/compliance/review-items/{first.pk}/approve", {}, format="json")

    render = fresh(tenant, Render, first.render_id)
    assert render.asset_id not in (None, old_asset)
    with tenant_scope(tenant.pk):
        receipt = Render.objects.select_related("asset").get(pk=render.pk).asset.receipt
    assert (receipt["copy"], receipt["compliance"]["verdict"]) == (EDITED, "pass")
    assert approved.json()["asset"]["download_url"]
    assert len(rows(LedgerEntry, tenant, kind="capture")) == 1  # the re-render is not charged

    client.post(f"/api/v1/compliance/review-items/{second.pk}/escalate", {}, format="json")
    [case] = rows(ModerationCase, tenant)
    moderator = UserFactory(username="mod@platform.test", is_staff=True)
    for _attempt in range(2):  # a double-submitted decision
        moderation.moderation_decide(
            staff=moderator, case_id=case.pk, decision="reject", reason_code="medical_claim"
        )

    [refund] = rows(LedgerEntry, tenant, kind="refund")
    assert refund.idempotency_key == f"refund:render:{second.render_id}"
    assert refund.purchased_delta == fresh(tenant, Job, job.pk).render_price("main_800x800")
    assert client.get(f"/api/v1/jobs/{job.pk}/assets").json()["results"][1]["asset"]["url"] is None
    assert anomalies(tenant) == []
