import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tenants.roles import Role
from tests.tenants.factories import TenantFactory, api_key, member
from webhooks.models import WebhookEndpoint

from . import factories
from .factories import rows

pytestmark = pytest.mark.django_db


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_endpoints_are_listed_without_their_secrets(brand, owner):
    endpoint = factories.endpoint(brand, url="https://erp.example.com/in", description="ERP")

    body = session(owner).get("/api/v1/webhooks/endpoints").json()

    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": endpoint.pk,
            "url": "https://erp.example.com/in",
            "description": "ERP",
            "event_types": ["job.finished", "job.failed"],
            "is_active": True,
            "secret_hint": f"{endpoint.secret[:10]}…",
            "created_by": None,
            "created_at": body["results"][0]["created_at"],
        }
    ]


def test_creating_returns_the_secret_once(dns, brand, owner):
    client = session(owner)

    response = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.brand.test/in", "event_types": ["job.failed"]},
        format="json",
    )

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    (endpoint,) = rows(WebhookEndpoint, brand)
    assert response.json()["secret"] == endpoint.secret
    assert response.json()["created_by"] == owner.pk
    assert "secret" not in client.get(f"/api/v1/webhooks/endpoints/{endpoint.pk}").json()


def test_an_unknown_event_type_is_a_400(dns, brand, owner):
    response = session(owner).post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.brand.test/in", "event_types": ["job.exploded"]},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["event_types"]
    assert rows(WebhookEndpoint, brand) == []


def test_deleting_an_endpoint(brand, owner):
    endpoint = factories.endpoint(brand)

    response = session(owner).delete(f"/api/v1/webhooks/endpoints/{endpoint.pk}")

    assert response.status_code == 204
    assert rows(WebhookEndpoint, brand) == []


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_members_without_manage_brand_can_read_but_not_manage(dns, brand, role):
    endpoint = factories.endpoint(brand)
    factories.delivery(endpoint)
    client = session(member(brand, role).user)

    created = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.brand.test/in", "event_types": ["job.failed"]},
        format="json",
    )
    deleted = client.delete(f"/api/v1/webhooks/endpoints/{endpoint.pk}")

    assert client.get("/api/v1/webhooks/endpoints").json()["count"] == 1
    assert client.get("/api/v1/webhooks/deliveries").json()["count"] == 1
    assert (created.status_code, deleted.status_code) == (403, 403)
    assert created.json()["error"]["message"] == "Your role in this brand does not allow this."
    assert [e.pk for e in rows(WebhookEndpoint, brand)] == [endpoint.pk]


def test_api_keys_cannot_use_the_webhook_api(brand):
    endpoint = factories.endpoint(brand)
    _row, key = api_key(brand, scopes=["jobs:read", "jobs:write", "audit:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    answers = [
        client.get("/api/v1/webhooks/endpoints"),
        client.post("/api/v1/webhooks/endpoints", {}, format="json"),
        client.get(f"/api/v1/webhooks/endpoints/{endpoint.pk}"),
        client.delete(f"/api/v1/webhooks/endpoints/{endpoint.pk}"),
        client.get("/api/v1/webhooks/deliveries"),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    assert answers[0].json()["error"]["message"] == (
        "API keys cannot do this; sign in to the dashboard instead."
    )
    assert [e.pk for e in rows(WebhookEndpoint, brand)] == [endpoint.pk]


def test_deliveries_are_paginated_newest_first_and_filtered(brand, owner):
    endpoint = factories.endpoint(brand, url="https://erp.example.com/in")
    other = factories.endpoint(brand, url="https://crm.example.com/in")
    for _ in range(50):
        factories.delivery(endpoint)
    failed = factories.delivery(
        other, status="failed", attempts=1, last_response_code=410, last_error="HTTP 410"
    )
    succeeded = factories.delivery(
        endpoint, status="succeeded", attempts=1, delivered_at=timezone.now()
    )
    client = session(owner)

    first = client.get("/api/v1/webhooks/deliveries").json()
    second = client.get("/api/v1/webhooks/deliveries?page=2").json()
    only_failed = client.get("/api/v1/webhooks/deliveries?status=failed").json()
    by_endpoint = client.get(f"/api/v1/webhooks/deliveries?endpoint={other.pk}").json()
    bad = client.get("/api/v1/webhooks/deliveries?status=lost")

    assert (first["count"], len(first["results"]), len(second["results"])) == (52, 50, 2)
    assert first["results"][0]["id"] == succeeded.pk
    assert [d["id"] for d in only_failed["results"]] == [failed.pk]
    assert [d["id"] for d in by_endpoint["results"]] == [failed.pk]
    assert only_failed["results"][0] == {
        "id": failed.pk,
        "endpoint": other.pk,
        "endpoint_url": "https://crm.example.com/in",
        "event_id": str(failed.event_id),
        "event_type": "job.finished",
        "status": "failed",
        "attempts": 1,
        "last_response_code": 410,
        "last_error": "HTTP 410",
        "attempt_log": [],
        "next_attempt_at": None,
        "created_at": only_failed["results"][0]["created_at"],
        "delivered_at": None,
        "payload": {"job": {"id": 7, "status": "succeeded"}},
    }
    assert bad.status_code == 400
    assert list(bad.json()["error"]["details"]) == ["status"]


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/api/v1/webhooks/endpoints", "/api/v1/webhooks/deliveries"])
def test_list_query_counts_do_not_grow_with_rows(brand, owner, path):
    client = session(owner)
    factories.delivery(factories.endpoint(brand, url="https://e0.example.com/"))
    client.get(path)
    one = _queries(client, path)
    for n in range(1, 6):
        factories.delivery(factories.endpoint(brand, url=f"https://e{n}.example.com/"))

    assert _queries(client, path) == one <= 13  # 2 of them read webhooks: count and page


def test_another_brands_endpoints_and_deliveries_are_invisible(brand, owner):
    theirs = TenantFactory()
    their_endpoint = factories.endpoint(theirs)
    factories.delivery(their_endpoint)
    client = session(owner)

    assert client.get("/api/v1/webhooks/endpoints").json()["results"] == []
    assert client.get("/api/v1/webhooks/deliveries").json()["results"] == []
    assert (
        client.get(f"/api/v1/webhooks/deliveries?endpoint={their_endpoint.pk}").json()["results"]
        == []
    )
    assert client.get(f"/api/v1/webhooks/endpoints/{their_endpoint.pk}").status_code == 404
    assert client.delete(f"/api/v1/webhooks/endpoints/{their_endpoint.pk}").status_code == 404
    assert [e.pk for e in rows(WebhookEndpoint, theirs)] == [their_endpoint.pk]


def test_the_schema_documents_the_webhook_api(brand, owner):
    schema = session(owner).get("/api/v1/schema/?format=json").json()

    assert {
        "/api/v1/webhooks/endpoints",
        "/api/v1/webhooks/endpoints/{endpoint_id}",
        "/api/v1/webhooks/deliveries",
    } <= set(schema["paths"])
