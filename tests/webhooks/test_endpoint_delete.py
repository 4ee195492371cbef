import pytest
from django.core.exceptions import PermissionDenied

from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_delete

from . import factories
from .factories import rows

pytestmark = pytest.mark.django_db


def _delete(brand, user, endpoint_id):
    with tenant_scope(brand.pk):
        webhook_endpoint_delete(tenant=brand, user=user, endpoint_id=endpoint_id)


def test_deleting_removes_the_endpoint_and_its_deliveries_and_is_audited(brand, owner):
    endpoint = factories.endpoint(brand, url="https://hooks.example.com/a")
    factories.delivery(endpoint)
    kept = factories.endpoint(brand, url="https://hooks.example.com/b")
    factories.delivery(kept)

    _delete(brand, owner, endpoint.pk)

    assert [e.pk for e in rows(WebhookEndpoint, brand)] == [kept.pk]
    assert [d.endpoint_id for d in rows(WebhookDelivery, brand)] == [kept.pk]
    assert [(a.action, a.target_id, a.data) for a in rows(AuditEvent, brand)] == [
        (
            "webhook_endpoint.deleted",
            str(endpoint.pk),
            {"url": "https://hooks.example.com/a", "event_types": ["job.finished", "job.failed"]},
        )
    ]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_roles_without_manage_brand_cannot_delete(brand, role):
    endpoint = factories.endpoint(brand)

    with pytest.raises(PermissionDenied):
        _delete(brand, member(brand, role).user, endpoint.pk)

    assert [e.pk for e in rows(WebhookEndpoint, brand)] == [endpoint.pk]


def test_another_brands_endpoint_is_not_found_and_stays(brand, owner):
    theirs = TenantFactory()
    their_endpoint = factories.endpoint(theirs)

    with pytest.raises(WebhookEndpoint.DoesNotExist):
        _delete(brand, owner, their_endpoint.pk)

    assert [e.pk for e in rows(WebhookEndpoint, theirs)] == [their_endpoint.pk]
    assert rows(AuditEvent, brand) == []
