"""Reads for the staff billing pages: every brand's plan and credits, and flagged Stripe events.

These cross brands on purpose, so each one says why in `unscoped(reason=...)` and returns plain
values computed inside that block (a lazy QuerySet would run later, outside the bypass).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tenants.context import unscoped
from tenants.models import Tenant

from .models import CreditAccount, StripeEvent, Subscription


@dataclass(frozen=True)
class BrandBilling:
    """One brand's billing state as staff see it; `account` is None until credits were used."""

    tenant: Tenant
    subscription: Subscription | None
    account: CreditAccount | None


def brand_list(*, query: str = "") -> QuerySet[Tenant]:
    """Brands by name, optionally those whose name or slug contains `query` (a platform table)."""
    brands = Tenant.objects.order_by("name", "pk")
    if query:
        brands = brands.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    return brands


def brand_get(*, slug: str) -> Tenant:
    """Raises Tenant.DoesNotExist."""
    return Tenant.objects.get(slug=slug)


def brand_billing_rows(*, tenants: Sequence[Tenant]) -> list[BrandBilling]:
    """The subscription and credit account of each brand, in the order given (two queries)."""
    ids = [tenant.pk for tenant in tenants]
    with unscoped(reason="staff: billing overview"):
        subscriptions = {
            row.tenant_id: row
            for row in Subscription.all_tenants.select_related("plan").filter(tenant_id__in=ids)
        }
        accounts = {
            row.tenant_id: row for row in CreditAccount.all_tenants.filter(tenant_id__in=ids)
        }
    return [
        BrandBilling(
            tenant=tenant,
            subscription=subscriptions.get(tenant.pk),
            account=accounts.get(tenant.pk),
        )
        for tenant in tenants
    ]


def brand_billing_get(*, tenant: Tenant) -> BrandBilling:
    """One brand's billing state, read without opening an account (staff only look)."""
    [row] = brand_billing_rows(tenants=[tenant])
    return row


def stripe_events_flagged() -> QuerySet[StripeEvent]:
    """Webhook events that could not be applied (unknown customer or price), newest first."""
    return StripeEvent.objects.filter(status=StripeEvent.Status.FLAGGED).order_by(
        "-received_at", "-pk"
    )
