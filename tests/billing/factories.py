from decimal import Decimal

from billing import ledger
from billing.models import Plan, Subscription
from tenants.context import tenant_scope
from tenants.models import Tenant


def on_plan(tenant: Tenant, code: str, **fields) -> Subscription:
    """Put `tenant` on plan `code` (a subscription row, as staff or a Stripe sync would)."""
    with tenant_scope(tenant.pk):
        subscription, _created = Subscription.objects.update_or_create(
            tenant=tenant, defaults={"plan": Plan.objects.get(code=code), **fields}
        )
        return subscription


def balance(tenant: Tenant) -> dict[str, Decimal]:
    """The account's balances, read fresh."""
    from billing.selectors import credit_balance

    with tenant_scope(tenant.pk):
        account = credit_balance(tenant=tenant)
        return {
            "granted": account.granted,
            "purchased": account.purchased,
            "reserved": account.reserved,
            "available": account.available,
        }


def anomalies(tenant: Tenant) -> list[str]:
    with tenant_scope(tenant.pk):
        return ledger.ledger_verify(tenant=tenant).anomalies


def funded(tenant: Tenant, *, granted: Decimal | int, purchased: Decimal | int = 0) -> None:
    """An account whose period allowance is `granted` and that bought `purchased` credits."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    with tenant_scope(tenant.pk):
        ledger.credit_grant(
            tenant=tenant,
            amount=Decimal(granted),
            period_start=now - timedelta(days=1),
            period_end=now + timedelta(days=29),
            idempotency_key=f"grant:test:{now.isoformat()}",
            reason="test allowance",
        )
        if purchased:
            ledger.credit_purchase(
                tenant=tenant,
                amount=Decimal(purchased),
                idempotency_key=f"purchase:test:{now.isoformat()}",
                reference="test",
                reason="test pack",
            )
