import pytest
from django.utils import timezone

from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member
from webhooks.models import WebhookEndpoint

from . import factories
from .factories import rows

pytestmark = pytest.mark.django_db


def test_the_page_lists_endpoints_and_deliveries_without_secrets(client, brand, owner):
    endpoint = factories.endpoint(brand, url="https://erp.example.com/in", description="ERP sync")
    failed = factories.delivery(
        endpoint,
        event_type="job.failed",
        status="failed",
        attempts=1,
        last_response_code=400,
        last_error="HTTP 400: unknown event",
    )
    factories.delivery(
        endpoint,
        status="succeeded",
        attempts=2,
        last_response_code=200,
        delivered_at=timezone.now(),
    )
    client.force_login(owner)

    response = client.get("/webhooks/")

    assert response.status_code == 200
    assert [e.url for e in response.context["endpoints"]] == ["https://erp.example.com/in"]
    assert [(d.event_type, d.status, d.attempts) for d in response.context["page_obj"]] == [
        ("job.finished", "succeeded", 2),
        ("job.failed", "failed", 1),
    ]
    assert "ERP sync" in response.text
    assert f"{endpoint.secret[:10]}…" in response.text
    assert endpoint.secret not in response.text
    assert f'href="/webhooks/deliveries/{failed.pk}/"' in response.text
    assert 'id="add-endpoint"' in response.text


def test_deliveries_can_be_filtered_by_status(client, brand, owner):
    endpoint = factories.endpoint(brand)
    failed = factories.delivery(endpoint, status="failed")
    factories.delivery(endpoint, status="pending")
    client.force_login(owner)

    response = client.get("/webhooks/?status=failed")

    assert [d.pk for d in response.context["page_obj"]] == [failed.pk]
    assert len(client.get("/webhooks/?status=nonsense").context["page_obj"]) == 2


def test_adding_an_endpoint_shows_its_secret_once(dns, client, brand, owner):
    client.force_login(owner)

    response = client.post(
        "/webhooks/",
        {
            "url": "https://hooks.brand.test/in",
            "description": "Shop",
            "event_types": ["job.finished"],
        },
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    (endpoint,) = rows(WebhookEndpoint, brand)
    assert (endpoint.url, endpoint.description, endpoint.event_types) == (
        "https://hooks.brand.test/in",
        "Shop",
        ["job.finished"],
    )
    assert f'value="{endpoint.secret}"' in response.text
    assert "this is the only time it is shown" in response.text
    assert endpoint.secret not in client.get("/webhooks/").text


def test_an_endpoint_needs_at_least_one_event(dns, client, brand, owner):
    client.force_login(owner)

    response = client.post("/webhooks/", {"url": "https://hooks.brand.test/in"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["event_types"]
    assert rows(WebhookEndpoint, brand) == []


def test_deleting_an_endpoint(client, brand, owner):
    endpoint = factories.endpoint(brand)
    client.force_login(owner)

    response = client.post(f"/webhooks/endpoints/{endpoint.pk}/delete/")

    assert response.status_code == 302
    assert rows(WebhookEndpoint, brand) == []


def test_a_delivery_page_shows_the_body_and_every_attempt(client, brand, owner):
    endpoint = factories.endpoint(brand, url="https://erp.example.com/in")
    delivery = factories.delivery(
        endpoint,
        payload={"job": {"id": 42, "status": "failed", "error": "文案生成失败"}},
        status="retrying",
        attempts=2,
        last_response_code=503,
        last_error="HTTP 503: maintenance",
        next_attempt_at=timezone.now(),
        attempt_log=[
            {
                "at": "2026-11-22T04:00:00+00:00",
                "code": None,
                "error": "ReadTimeoutError",
                "ms": 10,
            },
            {"at": "2026-11-22T04:01:00+00:00", "code": 503, "error": "HTTP 503", "ms": 12},
        ],
    )
    client.force_login(member(brand, Role.VIEWER).user)

    response = client.get(f"/webhooks/deliveries/{delivery.pk}/")

    assert response.status_code == 200
    assert str(delivery.event_id) in response.text
    assert "HTTP 503: maintenance" in response.text
    assert "文案生成失败" in response.text
    assert f"&quot;brand_id&quot;: {brand.pk}" in response.text
    assert "2026-11-22 04:01:00" in response.text
    assert "ReadTimeoutError" in response.text
    assert endpoint.secret not in response.text


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_members_without_manage_brand_see_deliveries_but_cannot_manage(dns, client, brand, role):
    endpoint = factories.endpoint(brand)
    delivery = factories.delivery(endpoint)
    client.force_login(member(brand, role).user)

    page = client.get("/webhooks/")
    created = client.post(
        "/webhooks/", {"url": "https://hooks.brand.test/x", "event_types": ["job.failed"]}
    )
    deleted = client.post(f"/webhooks/endpoints/{endpoint.pk}/delete/")

    assert page.status_code == 200
    assert [d.pk for d in page.context["page_obj"]] == [delivery.pk]
    assert page.context["form"] is None
    assert 'id="add-endpoint"' not in page.text
    assert "/delete/" not in page.text
    assert "Owners and admins can add and delete endpoints." in page.text
    assert client.get(f"/webhooks/deliveries/{delivery.pk}/").status_code == 200
    assert (created.status_code, deleted.status_code) == (403, 403)
    assert [e.pk for e in rows(WebhookEndpoint, brand)] == [endpoint.pk]


def test_an_admin_can_manage(dns, client, brand):
    client.force_login(member(brand, Role.ADMIN).user)

    response = client.post(
        "/webhooks/", {"url": "https://hooks.brand.test/x", "event_types": ["job.failed"]}
    )

    assert response.status_code == 200
    assert len(rows(WebhookEndpoint, brand)) == 1


def test_another_brands_endpoint_and_delivery_are_not_found(client, brand, owner):
    theirs = TenantFactory()
    their_endpoint = factories.endpoint(theirs, url="https://theirs.example.com/")
    their_delivery = factories.delivery(their_endpoint)
    client.force_login(owner)

    page = client.get("/webhooks/")

    assert client.get(f"/webhooks/deliveries/{their_delivery.pk}/").status_code == 404
    assert client.post(f"/webhooks/endpoints/{their_endpoint.pk}/delete/").status_code == 404
    assert list(page.context["endpoints"]) == []
    assert list(page.context["page_obj"]) == []
    assert "theirs.example.com" not in page.text
    assert [e.pk for e in rows(WebhookEndpoint, theirs)] == [their_endpoint.pk]


def test_a_viewer_gets_404_not_403_for_another_brands_endpoint(client, brand):
    their_endpoint = factories.endpoint(TenantFactory())
    client.force_login(member(brand, Role.VIEWER).user)

    assert client.post(f"/webhooks/endpoints/{their_endpoint.pk}/delete/").status_code == 404


def test_the_navigation_links_to_the_page(client, brand, owner):
    client.force_login(member(brand, Role.VIEWER).user)

    response = client.get("/")

    assert 'href="/webhooks/"' in response.text


def test_the_page_speaks_chinese(client, brand, owner, settings):
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get("/webhooks/")

    assert "最近投递" in response.text
    assert "添加端点" in response.text
