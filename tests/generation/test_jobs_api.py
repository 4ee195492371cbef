from functools import partial

import pytest
from rest_framework.test import APIClient

from generation.models import Job
from tenants.roles import Role
from tests.tenants import factories as tenant_factories
from tests.tenants.factories import TenantFactory, member, rows

from .factories import job, product

pytestmark = pytest.mark.django_db

SCRIPT = "家人们，这款玻尿酸精华液真的超级补水，到手价199元！"


key_client = partial(tenant_factories.key_client, scopes=("jobs:write", "jobs:read", "assets:read"))


def body(**changes):
    return {"script": SCRIPT, "channels": ["main_800x800"], "variants": 3, **changes}


def test_a_key_submits_a_job_and_reads_it_back():
    tenant = TenantFactory()
    client = key_client(tenant)

    response = client.post("/api/v1/jobs", body(seed=42, lane="bulk"), format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "queued"
    assert created["seed"] == 42
    assert created["lane"] == "bulk"
    assert created["progress"] == {
        "total": 3, "done": 0, "failed": 0, "cancelled": 0, "pending": 3, "cache_hits": 0,
    }  # fmt: skip
    assert created["brand_kit_version"] == 1
    fetched = client.get(f"/api/v1/jobs/{created['id']}").json()
    assert fetched["id"] == created["id"]
    assert fetched["script"] == SCRIPT


def test_the_same_idempotency_key_and_body_return_the_first_job():
    tenant = TenantFactory()
    client = key_client(tenant)

    first = client.post("/api/v1/jobs", body(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = client.post("/api/v1/jobs", body(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert len(rows(Job, tenant)) == 1


def test_the_same_idempotency_key_with_another_body_is_a_conflict():
    tenant = TenantFactory()
    client = key_client(tenant)
    client.post("/api/v1/jobs", body(), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")

    response = client.post(
        "/api/v1/jobs", body(variants=5), format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )

    assert response.status_code == 409
    assert "different request body" in response.json()["error"]["message"]
    assert [j.variants for j in rows(Job, tenant)] == [3]


def test_idempotency_keys_are_per_brand():
    mine, theirs = TenantFactory(), TenantFactory()
    key_client(theirs).post("/api/v1/jobs", body(), format="json", HTTP_IDEMPOTENCY_KEY="same")

    response = key_client(mine).post(
        "/api/v1/jobs", body(variants=7), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )

    assert response.status_code == 201
    assert [j.variants for j in rows(Job, mine)] == [7]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"script": ""}, "script", "Give a script or at least one product"),
        ({"script": "   \n "}, "script", "Give a script or at least one product"),
        ({"script": "好" * 20_001}, "script", "the limit is 20000"),
        ({"channels": ["poster_9x16"]}, "channels", "Unknown channel 'poster_9x16'"),
        ({"channels": []}, "channels", ""),
        ({"channels": ["custom_100x5000"]}, "channels", "256 to 4096"),
        ({"channels": ["main_800x800", "main_800x800"]}, "channels", "once"),
        ({"variants": 0}, "variants", ""),
        ({"variants": 201}, "variants", ""),
        ({"text_backend": "gpt-99"}, "text_backend", "Unknown text backend"),
        ({"image_backend": "dalle"}, "image_backend", "Unknown image backend"),
        ({"product_ids": [999999]}, "product_ids", "No product with id 999999"),
        ({"lane": "urgent"}, "lane", ""),
    ],
)
def test_bad_requests_get_a_400_naming_the_problem_and_create_nothing(changes, field, words):
    tenant = TenantFactory()

    response = key_client(tenant).post("/api/v1/jobs", body(**changes), format="json")

    assert response.status_code == 400, response.content
    details = response.json()["error"]["details"]
    assert field in details
    assert words in " ".join(str(message) for message in details[field])
    assert rows(Job, tenant) == []


def test_another_brands_product_is_unknown_here():
    mine, theirs = TenantFactory(), TenantFactory()
    their_product = product(theirs)

    response = key_client(mine).post(
        "/api/v1/jobs", body(product_ids=[their_product.pk]), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"]["product_ids"] == [
        f"No product with id {their_product.pk} in this brand."
    ]


def test_a_key_without_the_write_scope_cannot_submit():
    tenant = TenantFactory()

    response = key_client(tenant, scopes=("jobs:read",)).post("/api/v1/jobs", body(), format="json")

    assert response.status_code == 403
    assert "jobs:write" in response.json()["error"]["message"]
    assert rows(Job, tenant) == []


def test_a_viewer_reads_jobs_but_cannot_submit():
    tenant = TenantFactory()
    viewer = member(tenant, Role.VIEWER).user
    job(tenant)
    client = APIClient()
    client.force_login(viewer)

    listed = client.get("/api/v1/jobs")
    submitted = client.post("/api/v1/jobs", body(), format="json")

    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert submitted.status_code == 403
    assert len(rows(Job, tenant)) == 1


def test_jobs_list_filters_by_status_and_lane():
    tenant = TenantFactory()
    job(tenant, lane="bulk")
    job(tenant, lane="interactive")
    client = key_client(tenant)

    bulk = client.get("/api/v1/jobs?lane=bulk").json()
    queued = client.get("/api/v1/jobs?status=queued").json()
    bad = client.get("/api/v1/jobs?status=exploded")

    assert [j["lane"] for j in bulk["results"]] == ["bulk"]
    assert queued["count"] == 2
    assert bad.status_code == 400


def test_the_list_does_not_show_another_brands_jobs():
    mine, theirs = TenantFactory(), TenantFactory()
    job(theirs)

    listed = key_client(mine).get("/api/v1/jobs").json()

    assert listed["count"] == 0


def test_cancelling_a_queued_job_cancels_it_and_a_second_cancel_is_a_conflict():
    tenant = TenantFactory()
    queued = job(tenant)
    client = key_client(tenant)

    first = client.post(f"/api/v1/jobs/{queued.pk}/cancel")
    second = client.post(f"/api/v1/jobs/{queued.pk}/cancel")

    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    assert second.status_code == 409
    assert "already cancelled" in second.json()["error"]["message"]


def test_retrying_a_job_that_has_not_failed_is_a_conflict():
    tenant = TenantFactory()
    queued = job(tenant)

    response = key_client(tenant).post(f"/api/v1/jobs/{queued.pk}/retry")

    assert response.status_code == 409


def test_a_clone_keeps_the_request_and_applies_the_changes():
    tenant = TenantFactory()
    source = job(tenant, variants=2, seed=7)

    response = key_client(tenant).post(
        f"/api/v1/jobs/{source.pk}/clone", {"channels": ["banner_1200x628"]}, format="json"
    )

    assert response.status_code == 201, response.content
    clone = response.json()
    assert clone["cloned_from"] == source.pk
    assert clone["channels"] == ["banner_1200x628"]
    assert clone["variants"] == 2
    assert clone["script"] == source.script
    assert clone["seed"] != 7


def test_the_options_list_the_channels_and_backends():
    tenant = TenantFactory()

    options = key_client(tenant).get("/api/v1/generation/options").json()

    assert [c["name"] for c in options["channels"]] == [
        "live_1080x1920", "main_800x800", "banner_1200x628", "xiaohongshu_1080x1440",
    ]  # fmt: skip
    assert options["text_backends"] == ["builtin"]
    assert "compositor" in options["image_backends"]


def test_the_jobs_list_query_count_does_not_grow_with_jobs(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tenant = TenantFactory()
    client = key_client(tenant)
    job(tenant)
    client.get("/api/v1/jobs")  # the key's first use also records last_used_at
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/jobs")
    for _ in range(6):
        job(tenant)

    with django_assert_num_queries(len(one.captured_queries)):
        listed = client.get("/api/v1/jobs")

    assert listed.json()["count"] == 7
