"""Reads of the billing page that billing.selectors does not offer: the catalog and the notice."""

from django.db.models import QuerySet

from tenants.models import Tenant

from .models import BalanceNotice, CreditAccount, CreditPack, Plan
from .notices import latest_notice


def plans_public() -> QuerySet[Plan]:
    return Plan.objects.filter(is_public=True).order_by("sort_order", "code")


def packs_active() -> QuerySet[CreditPack]:
    return CreditPack.objects.filter(is_active=True).order_by("credits", "code")


def balance_notice_current(*, tenant: Tenant) -> BalanceNotice | None:
    """The highest low-balance notice sent for the account's current period, if any."""
    account = CreditAccount.objects.filter(tenant=tenant).first()
    if account is None:
        return None
    return latest_notice(tenant=tenant, account=account)
