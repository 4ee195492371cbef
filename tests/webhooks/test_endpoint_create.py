import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.tenants.factories import member
from webhooks.models import WebhookEndpoint
from webhooks.services import MAX_ENDPOINTS_PER_BRAND, webhook_endpoint_create

from . import factories
from .factories import rows

pytestmark = pytest.mark.django_db


def _create(brand, user, url="https://hooks.brand.test/in", event_types=("job.finished",)):
    with tenant_scope(brand.pk, user_id=user.pk if user else None):
        return webhook_endpoint_create(
            tenant=brand, user=user, url=url, event_types=event_types, description=" ERP "
        )


def test_an_endpoint_gets_a_secret_and_an_audit_row(dns, brand, owner):
    endpoint = _create(brand, owner, event_types=["job.failed", "job.finished", "job.failed"])

    stored = rows(WebhookEndpoint, brand)
    assert [(e.url, e.event_types, e.description, e.is_active) for e in stored] == [
        ("https://hooks.brand.test/in", ["job.failed", "job.finished"], "ERP", True)
    ]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) == 49
    assert stored[0].secret == endpoint.secret
    assert stored[0].created_by == owner
    assert [(a.action, a.actor, a.target_id, a.data) for a in rows(AuditEvent, brand)] == [
        (
            "webhook_endpoint.created",
            owner,
            str(endpoint.pk),
            {"url": "https://hooks.brand.test/in", "event_types": ["job.failed", "job.finished"]},
        )
    ]


def test_two_endpoints_never_share_a_secret(dns, brand, owner):
    first, second = _create(brand, owner), _create(brand, owner)

    assert first.secret != second.secret


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_roles_without_manage_brand_cannot_create(dns, brand, role):
    user = member(brand, role).user

    with pytest.raises(PermissionDenied):
        _create(brand, user)

    assert rows(WebhookEndpoint, brand) == []


def test_an_admin_can_create(dns, brand):
    admin = member(brand, Role.ADMIN).user

    _create(brand, admin)

    assert len(rows(WebhookEndpoint, brand)) == 1


def test_unknown_and_missing_event_types_are_field_errors(dns, brand, owner):
    with pytest.raises(ValidationError) as unknown:
        _create(brand, owner, event_types=["job.finished", "job.exploded"])
    with pytest.raises(ValidationError) as missing:
        _create(brand, owner, url="http://hooks.brand.test/", event_types=[])

    assert unknown.value.message_dict == {
        "event_types": [
            "Unknown event type: job.exploded. Known event types: job.finished, job.failed."
        ]
    }
    assert missing.value.message_dict == {
        "url": ["Webhook URLs must use https://."],
        "event_types": ["Choose at least one event."],
    }
    assert rows(WebhookEndpoint, brand) == []


def test_a_brand_has_at_most_twenty_endpoints(dns, brand, owner):
    for _ in range(MAX_ENDPOINTS_PER_BRAND):
        factories.endpoint(brand)

    with pytest.raises(ValidationError) as refused:
        _create(brand, owner)

    assert refused.value.messages == [
        "A brand can have at most 20 webhook endpoints; delete one first."
    ]
    assert len(rows(WebhookEndpoint, brand)) == MAX_ENDPOINTS_PER_BRAND


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1:8443/hook", "127.0.0.1: it is a loopback address."),
        ("https://10.0.0.8/hook", "10.0.0.8: it is a private address."),
        ("https://[fe80::1]/hook", "fe80::1: it is a link-local address."),
        (
            "https://169.254.169.254/latest/meta-data/iam/",
            "169.254.169.254: it is the cloud metadata address.",
        ),
        (
            "https://intranet.brand.test/hook",
            "intranet.brand.test: it resolves to 192.168.4.4, a private address.",
        ),
    ],
)
def test_the_api_refuses_internal_urls_with_a_clear_400(dns, brand, owner, url, message):
    dns.answers["intranet.brand.test"] = ["192.168.4.4"]
    client = APIClient()
    client.force_login(owner)

    response = client.post(
        "/api/v1/webhooks/endpoints", {"url": url, "event_types": ["job.finished"]}, format="json"
    )

    assert response.status_code == 400
    body = response.json()["error"]
    assert (body["code"], body["details"]) == (
        "invalid",
        {"url": [f"Webhooks cannot be sent to {message}"]},
    )
    assert rows(WebhookEndpoint, brand) == []
    assert rows(AuditEvent, brand, action="webhook_endpoint.created") == []


def test_the_page_refuses_an_internal_url_next_to_the_field(dns, client, brand, owner):
    client.force_login(owner)

    response = client.post(
        "/webhooks/", {"url": "https://169.254.169.254/", "event_types": ["job.finished"]}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "url": ["Webhooks cannot be sent to 169.254.169.254: it is the cloud metadata address."]
    }
    assert "it is the cloud metadata address" in response.text
    assert rows(WebhookEndpoint, brand) == []


def test_the_api_refuses_plain_http(dns, brand, owner):
    client = APIClient()
    client.force_login(owner)

    response = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "http://hooks.brand.test/hook", "event_types": ["job.finished"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"url": ["Webhook URLs must use https://."]}


def test_development_settings_allow_a_loopback_receiver(dns, brand, owner, allow_private):
    endpoint = _create(brand, owner, url="http://127.0.0.1:9000/hook")

    assert endpoint.url == "http://127.0.0.1:9000/hook"
