"""Reads of a brand's webhook endpoints and deliveries. Every function takes the tenant."""

from django.db.models import QuerySet

from tenants.models import Tenant

from .models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, tenant: Tenant) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(tenant=tenant).order_by("-created_at", "-id")


def delivery_list(
    *, tenant: Tenant, status: str | None = None, endpoint_id: int | None = None
) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(tenant=tenant)
    if status:
        deliveries = deliveries.filter(status=status)
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    return deliveries.select_related("endpoint").order_by("-created_at", "-id")


def delivery_get(*, tenant: Tenant, delivery_id: int) -> WebhookDelivery:
    """The brand's delivery; WebhookDelivery.DoesNotExist for another brand's id."""
    return WebhookDelivery.objects.select_related("endpoint").get(tenant=tenant, pk=delivery_id)
