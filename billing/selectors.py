"""Reads: a brand's balances, its ledger and its daily usage."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tenants.models import Tenant

from .ledger import account_lock
from .models import ZERO, CreditAccount, LedgerEntry


@dataclass(frozen=True)
class Balance:
    granted: Decimal
    purchased: Decimal
    reserved: Decimal
    reserved_granted: Decimal
    allowance: Decimal
    period_end: datetime | None

    @property
    def available(self) -> Decimal:
        return self.granted + self.purchased

    @property
    def allowance_used(self) -> Decimal:
        """This period's allowance already charged (held credits are not spent yet)."""
        return max(ZERO, self.allowance - self.granted - self.reserved_granted)


def credit_balance(*, tenant: Tenant) -> Balance:
    account = CreditAccount.objects.filter(tenant=tenant).first()
    if account is None:
        with transaction.atomic():  # the first look opens the account with its allowance
            account = account_lock(tenant=tenant)
    return Balance(
        granted=account.granted,
        purchased=account.purchased,
        reserved=account.reserved,
        reserved_granted=account.reserved_granted,
        allowance=account.allowance,
        period_end=account.period_end,
    )


def ledger_entries(*, tenant: Tenant) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(tenant=tenant)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def usage_per_day(*, tenant: Tenant, days: int = 30) -> list[tuple[date, Decimal]]:
    """Credits charged per day (captures less refunds), oldest first, one row per day."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        LedgerEntry.objects.filter(
            tenant=tenant,
            kind__in=[LedgerEntry.Kind.CAPTURE, LedgerEntry.Kind.REFUND],
            created_at__date__gte=first,
        )
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(granted=Sum("granted_delta"), purchased=Sum("purchased_delta"),
                  reserved_granted=Sum("reserved_granted_delta"),
                  reserved_purchased=Sum("reserved_purchased_delta"))
    )  # fmt: skip
    spent = {
        row["day"]: -(
            row["granted"] + row["purchased"] + row["reserved_granted"] + row["reserved_purchased"]
        )
        for row in rows
    }
    return [
        (first + timedelta(days=n), spent.get(first + timedelta(days=n), ZERO)) for n in range(days)
    ]
