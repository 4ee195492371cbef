"""Webhook rows for tests that never deliver to them, each made inside its brand's scope.

Endpoints made here skip the URL policy (their hosts are not resolved); tests of the policy go
through `webhook_endpoint_create`. A delivery's brand comes from its endpoint.
"""

import secrets

from tenants.context import tenant_scope
from tenants.models import Tenant
from webhooks.models import WebhookDelivery, WebhookEndpoint

ALL_EVENTS = ("job.finished", "job.failed")


def endpoint(
    tenant: Tenant,
    url: str = "https://hooks.example.com/brandloom",
    event_types=ALL_EVENTS,
    **fields,
) -> WebhookEndpoint:
    with tenant_scope(tenant.pk):
        return WebhookEndpoint.objects.create(
            tenant=tenant,
            url=url,
            secret=fields.pop("secret", f"whsec_{secrets.token_urlsafe(32)}"),
            event_types=list(event_types),
            **fields,
        )


def delivery(endpoint: WebhookEndpoint, event_type: str = "job.finished", **fields):
    with tenant_scope(endpoint.tenant_id):
        return WebhookDelivery.objects.create(
            tenant_id=endpoint.tenant_id,
            endpoint=endpoint,
            event_type=event_type,
            payload=fields.pop("payload", {"job": {"id": 7, "status": "succeeded"}}),
            **fields,
        )


def rows(model, tenant: Tenant, **filters) -> list:
    with tenant_scope(tenant.pk):
        return list(model.objects.filter(tenant=tenant, **filters).order_by("pk"))
