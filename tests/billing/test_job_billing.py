from decimal import Decimal

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from billing.exceptions import PlanLimit
from billing.models import LedgerEntry
from generation import jobs, rendering
from generation.models import Job, Render
from tenants.context import tenant_scope
from tests.billing.factories import anomalies, balance, funded, on_plan
from tests.generation.factories import job
from tests.tenants.factories import TenantFactory, api_key, rows

pytestmark = pytest.mark.django_db

D = Decimal
SCRIPT = "家人们，这款玻尿酸精华真的超级补水！"


def client_for(tenant, scopes=("jobs:write", "jobs:read", "billing:read")) -> APIClient:
    _row, key = api_key(tenant, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def run_job(tenant, queued: Job) -> Job:
    """Plan and render every render in this process, then finalise, as the worker would."""
    with tenant_scope(tenant.pk):
        render_ids = jobs.job_plan(tenant_id=tenant.pk, job_id=queued.pk)
    for render_id in render_ids:
        with tenant_scope(tenant.pk):
            rendering.render_execute(tenant_id=tenant.pk, render_id=render_id)
    with tenant_scope(tenant.pk):
        jobs.job_finalize(tenant_id=tenant.pk, job_id=queued.pk)
        return Job.objects.get(pk=queued.pk)


def ledger_kinds(tenant, reference: str) -> list[tuple[str, Decimal]]:
    with tenant_scope(tenant.pk):
        return [
            (entry.kind, entry.available_delta + entry.reserved_delta)
            for entry in LedgerEntry.objects.filter(tenant=tenant, reference=reference).order_by(
                "pk"
            )
        ]


def test_a_job_the_brand_cannot_afford_is_refused_with_402_and_leaves_nothing():
    tenant = TenantFactory()
    funded(tenant, granted=3)
    client = client_for(tenant)

    response = client.post(
        "/api/v1/jobs",
        {"script": SCRIPT, "channels": ["main_800x800"], "variants": 4},
        format="json",
        HTTP_IDEMPOTENCY_KEY="short-1",
    )

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "insufficient_credits"
    assert error["details"] == {"needed": "4.00", "available": "3.00", "shortfall": "1.00"}
    assert "1.00 short" in error["message"]
    assert rows(Job, tenant) == []
    assert balance(tenant)["available"] == D(3)
    assert anomalies(tenant) == []

    in_chinese = client.post(
        "/api/v1/jobs",
        {"script": SCRIPT, "channels": ["main_800x800"], "variants": 4},
        format="json",
        HTTP_IDEMPOTENCY_KEY="short-2",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert in_chinese.status_code == 402
    assert "差 1.00" in in_chinese.json()["error"]["message"]


def test_a_job_reserves_its_estimate_and_charges_its_delivered_renders_once():
    tenant = TenantFactory()
    funded(tenant, granted=20)
    queued = job(tenant, channels=("main_800x800", "banner_1200x628"), variants=2)
    assert (queued.credits_reserved, balance(tenant)["reserved"]) == (D(4), D(4))

    finished = run_job(tenant, queued)
    # A redelivered render message finds its render done: no second charge.
    for render in rows(Render, tenant, job=queued):
        with tenant_scope(tenant.pk):
            rendering.render_execute(tenant_id=tenant.pk, render_id=render.pk)

    assert finished.status == Job.Status.SUCCEEDED
    with tenant_scope(tenant.pk):  # the chord callback and the recovery sweep both finalise
        jobs.job_finalize(tenant_id=tenant.pk, job_id=queued.pk)
    assert ledger_kinds(tenant, queued.credit_reference) == [
        ("reserve", D(0)), ("capture", D(-4)),  # nothing was left to release
    ]  # fmt: skip
    assert balance(tenant) | {} == {
        "granted": D(16), "purchased": D(0), "reserved": D(0), "available": D(16),
    }  # fmt: skip
    assert anomalies(tenant) == []


def test_failed_renders_are_not_charged_and_a_retry_reserves_them_again():
    tenant = TenantFactory()
    funded(tenant, granted=10)
    queued = job(tenant, variants=3)
    with tenant_scope(tenant.pk):
        render_ids = jobs.job_plan(tenant_id=tenant.pk, job_id=queued.pk)
        rendering.render_execute(tenant_id=tenant.pk, render_id=render_ids[0])
        for render_id in render_ids[1:]:
            rendering.render_fail(tenant_id=tenant.pk, render_id=render_id, reason="backend down")
        jobs.job_finalize(tenant_id=tenant.pk, job_id=queued.pk)
    assert balance(tenant) | {} == {
        "granted": D(9), "purchased": D(0), "reserved": D(0), "available": D(9),
    }  # fmt: skip

    with tenant_scope(tenant.pk):
        jobs.job_retry_failed(tenant=tenant, user=None, job_id=queued.pk)
    assert balance(tenant)["reserved"] == D(2)
    for render_id in render_ids[1:]:
        with tenant_scope(tenant.pk):
            rendering.render_execute(tenant_id=tenant.pk, render_id=render_id)
    with tenant_scope(tenant.pk):
        jobs.job_finalize(tenant_id=tenant.pk, job_id=queued.pk)

    assert balance(tenant) | {} == {
        "granted": D(7), "purchased": D(0), "reserved": D(0), "available": D(7),
    }  # fmt: skip
    assert anomalies(tenant) == []


def test_cancelling_a_job_gives_back_what_its_undelivered_renders_held():
    tenant = TenantFactory()
    funded(tenant, granted=10)
    queued = job(tenant, variants=5)
    with tenant_scope(tenant.pk):
        render_ids = jobs.job_plan(tenant_id=tenant.pk, job_id=queued.pk)
        rendering.render_execute(tenant_id=tenant.pk, render_id=render_ids[0])
        jobs.job_cancel(tenant=tenant, user=None, job_id=queued.pk)

    assert ledger_kinds(tenant, queued.credit_reference) == [
        ("reserve", D(0)), ("capture", D(-1)), ("release", D(0)),
    ]  # fmt: skip
    assert balance(tenant) | {} == {
        "granted": D(9), "purchased": D(0), "reserved": D(0), "available": D(9),
    }  # fmt: skip


def test_the_estimate_prices_each_channel_and_says_what_is_missing():
    tenant = TenantFactory()
    funded(tenant, granted=10)

    response = client_for(tenant).get(
        "/api/v1/billing/estimate",
        {"channels": "main_800x800,custom_2160x3840", "variants": 4},
    )

    assert response.status_code == 200
    assert response.json() == {
        "credits": "12.00",
        "available": "10.00",
        "shortfall": "2.00",
        "affordable": False,
        "plan": "team",
        "lines": [
            {"channel": "main_800x800", "operation": "image_standard", "renders": 4,
             "unit_credits": "1.00", "credits": "4.00"},
            {"channel": "custom_2160x3840", "operation": "image_hd", "renders": 4,
             "unit_credits": "2.00", "credits": "8.00"},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"channels": "poster_9x9", "variants": 2}, "channels"),
        ({"channels": "main_800x800", "variants": 0}, "variants"),
        ({"channels": "main_800x800", "variants": 2, "image_backend": "dalle"}, "image_backend"),
        ({"variants": 2}, "channels"),
    ],
)
def test_a_bad_estimate_request_is_a_400_naming_the_field(query, field):
    response = client_for(TenantFactory()).get("/api/v1/billing/estimate", query)

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_the_price_table_decides_what_a_job_costs():
    from billing.models import OperationPrice

    tenant = TenantFactory()
    funded(tenant, granted=10)
    OperationPrice.objects.filter(operation="image_standard").update(credits=D("0.25"))

    queued = job(tenant, variants=3)

    assert queued.render_prices == {"main_800x800": "0.25"}
    assert balance(tenant)["reserved"] == D("0.75")


@override_settings(APP_BILLING_DEFAULT_PLAN="free")
def test_free_brands_get_no_hd_sizes_and_their_jobs_take_the_bulk_lane():
    tenant = TenantFactory()

    with tenant_scope(tenant.pk), pytest.raises(PlanLimit, match="HD"):
        jobs.job_create(
            tenant=tenant,
            user=None,
            request=jobs.JobRequest(script=SCRIPT, channels=("custom_2160x3840",), variants=1),
        )
    queued = job(tenant, lane="interactive", variants=1)

    assert queued.lane == Job.Lane.BULK
    assert rows(Job, tenant) == [queued]


@override_settings(APP_BILLING_DEFAULT_PLAN="free")
def test_a_free_brand_has_no_api_access_and_a_team_brand_has():
    free, team = TenantFactory(), TenantFactory()
    on_plan(team, "team")

    refused = client_for(free).get("/api/v1/billing/credits")
    allowed = client_for(team).get("/api/v1/billing/credits")

    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "API access is not included in this brand's plan."
    assert allowed.status_code == 200
    assert allowed.json()["plan"] == "team"


def test_the_credits_api_shows_only_the_callers_brand():
    brand, other = TenantFactory(), TenantFactory()
    funded(brand, granted=7, purchased=2)
    funded(other, granted=900)

    body = client_for(brand).get("/api/v1/billing/credits").json()

    assert (body["granted"], body["purchased"], body["available"]) == ("7.00", "2.00", "9.00")
