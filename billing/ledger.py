"""The credit ledger: every change to a brand's credits, exactly once.

How it stays exact:
- Every write locks the brand's CreditAccount row first (SELECT … FOR UPDATE), so writes to one
  brand are serial and writes to different brands never wait for each other.
- Every write has an idempotency key, unique per brand. Under the lock, a key already used
  returns the entry it wrote, so a redelivered task or a replayed webhook changes nothing.
- The account's four balances only move together with an entry holding the same deltas, in
  the same transaction; `ledger_verify` re-adds the entries and must find the account.
- Entries are append-only: a trigger refuses UPDATE and DELETE (migration 0002).

Spending order: this period's granted credits first (they expire), then purchased ones.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from tenants.audit import audit_record
from tenants.models import Tenant

from .exceptions import InsufficientCredits
from .models import ZERO, CreditAccount, CreditHold, LedgerEntry

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


class LedgerError(Exception):
    """A ledger write that cannot be applied (unknown hold, an adjustment below zero)."""


def credits(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT)


def account_lock(*, tenant: Tenant) -> CreditAccount:
    """The brand's account, locked until the transaction ends; opened on first use.

    A new account starts with its plan's allowance for the current period (billing.plans).
    """
    account = CreditAccount.objects.select_for_update().filter(tenant=tenant).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            CreditAccount.objects.create(tenant=tenant)
    except IntegrityError:
        pass  # another transaction opened it first; the lock below waits for it
    account = CreditAccount.objects.select_for_update().get(tenant=tenant)
    from .plans import allowance_open  # plans builds on the ledger

    allowance_open(tenant=tenant, account=account)
    return CreditAccount.objects.select_for_update().get(tenant=tenant)  # with its grant


def _existing(tenant: Tenant, key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(tenant=tenant, idempotency_key=key).first()


@dataclass
class _Deltas:
    granted: Decimal = ZERO
    purchased: Decimal = ZERO
    reserved_granted: Decimal = ZERO
    reserved_purchased: Decimal = ZERO


def _write(
    account: CreditAccount,
    *,
    kind: str,
    deltas: _Deltas,
    key: str,
    reference: str = "",
    reason: str = "",
    actor: User | None = None,
) -> LedgerEntry:
    account.granted += deltas.granted
    account.purchased += deltas.purchased
    account.reserved_granted += deltas.reserved_granted
    account.reserved_purchased += deltas.reserved_purchased
    account.save(
        update_fields=[
            "granted", "purchased", "reserved_granted", "reserved_purchased", "allowance",
            "period_start", "period_end", "updated_at",
        ]
    )  # fmt: skip
    return LedgerEntry.objects.create(
        tenant_id=account.tenant_id,
        kind=kind,
        granted_delta=deltas.granted,
        purchased_delta=deltas.purchased,
        reserved_granted_delta=deltas.reserved_granted,
        reserved_purchased_delta=deltas.reserved_purchased,
        available_after=account.available,
        reserved_after=account.reserved,
        idempotency_key=key,
        reference=reference,
        reason=reason[:300],
        actor=actor,
    )


@transaction.atomic
def credit_reserve(
    *, tenant: Tenant, reference: str, amount: Decimal, idempotency_key: str
) -> CreditHold:
    """Hold `amount` credits for `reference` (a job); raises InsufficientCredits when short.

    Reserving again for the same reference (a retry of failed renders) adds to its hold.
    """
    amount = credits(amount)
    account = account_lock(tenant=tenant)
    hold = CreditHold.objects.filter(tenant=tenant, reference=reference).first()
    if _existing(tenant, idempotency_key) is not None:
        if hold is None:
            raise LedgerError(f"The reservation {idempotency_key!r} has no hold.")
        return hold
    if amount > account.available:
        raise InsufficientCredits(needed=amount, available=account.available)
    from_granted = min(amount, account.granted)
    from_purchased = amount - from_granted
    if hold is None:
        hold = CreditHold(tenant=tenant, reference=reference)
    hold.granted += from_granted
    hold.purchased += from_purchased
    hold.period_end = account.period_end
    hold.closed_at = None
    hold.save()
    _write(
        account,
        kind=LedgerEntry.Kind.RESERVE,
        deltas=_Deltas(
            granted=-from_granted,
            purchased=-from_purchased,
            reserved_granted=from_granted,
            reserved_purchased=from_purchased,
        ),
        key=idempotency_key,
        reference=reference,
    )
    return hold


@transaction.atomic
def credit_capture(
    *, tenant: Tenant, reference: str, amount: Decimal, idempotency_key: str
) -> LedgerEntry:
    """Charge `amount` for something delivered under `reference`'s hold, once per key.

    Takes from the hold (granted part first). Should the hold not cover it (it was released
    early), the rest comes from the available balance, as far as it goes: the asset was
    delivered, so the charge is never refused, and a shortfall is logged, never made negative.
    """
    amount = credits(amount)
    account = account_lock(tenant=tenant)
    existing = _existing(tenant, idempotency_key)
    if existing is not None:
        return existing
    hold = CreditHold.objects.filter(tenant=tenant, reference=reference).first()
    deltas = _Deltas()
    remaining = amount
    if hold is not None:
        take = min(remaining, hold.granted)
        hold.granted -= take
        deltas.reserved_granted -= take
        remaining -= take
        take = min(remaining, hold.purchased)
        hold.purchased -= take
        deltas.reserved_purchased -= take
        remaining -= take
    take = min(remaining, account.granted)
    deltas.granted -= take
    remaining -= take
    take = min(remaining, account.purchased)
    deltas.purchased -= take
    remaining -= take
    if remaining:
        logger.warning(
            "billing.capture_short",
            extra={"tenant_id": tenant.pk, "reference": reference, "short": str(remaining)},
        )
    if hold is not None:
        hold.captured += amount - remaining
        hold.save(update_fields=["granted", "purchased", "captured"])
    entry = _write(
        account,
        kind=LedgerEntry.Kind.CAPTURE,
        deltas=deltas,
        key=idempotency_key,
        reference=reference,
    )
    from .notices import notices_check  # notices read the ledger

    notices_check(tenant=tenant, account=account)
    return entry


@transaction.atomic
def credit_release(*, tenant: Tenant, reference: str) -> LedgerEntry | None:
    """Give back what `reference`'s hold still holds; None when there is nothing to give.

    Granted credits held past the end of their period expire instead of coming back.
    """
    account = account_lock(tenant=tenant)
    hold = CreditHold.objects.filter(tenant=tenant, reference=reference).first()
    if hold is None or hold.closed_at is not None:
        return None
    now = timezone.now()
    stale = hold.period_end is not None and hold.period_end != account.period_end
    entry = None
    if hold.held:
        entry = _write(
            account,
            kind=LedgerEntry.Kind.RELEASE,
            deltas=_Deltas(
                granted=ZERO if stale else hold.granted,
                purchased=hold.purchased,
                reserved_granted=-hold.granted,
                reserved_purchased=-hold.purchased,
            ),
            key=_release_key(tenant, reference),
            reference=reference,
            reason="expired with its period" if stale and hold.granted else "",
        )
    hold.granted = ZERO
    hold.purchased = ZERO
    hold.closed_at = now
    hold.save(update_fields=["granted", "purchased", "closed_at"])
    return entry


def _release_key(tenant: Tenant, reference: str) -> str:
    # One key per release of a hold: a hold reopened by a retry is released again later.
    releases = LedgerEntry.objects.filter(
        tenant=tenant, reference=reference, kind=LedgerEntry.Kind.RELEASE
    ).count()
    return f"release:{reference}:{releases}"


def captured_total(*, tenant: Tenant, reference: str) -> Decimal:
    """Credits charged under `reference` so far (refunds not deducted)."""
    hold = CreditHold.objects.filter(tenant=tenant, reference=reference).first()
    return hold.captured if hold is not None else ZERO


@transaction.atomic
def credit_refund(
    *, tenant: Tenant, reference: str, amount: Decimal, idempotency_key: str, reason: str
) -> LedgerEntry | None:
    """Give back up to `amount` of what was charged under `reference` (a render rejected by
    moderation), once per key; None when nothing charged is left to refund.

    Refunded credits are purchased credits: the brand paid for something it did not get, so
    they never expire, whichever bucket the charge came from.
    """
    account = account_lock(tenant=tenant)
    existing = _existing(tenant, idempotency_key)
    if existing is not None:
        return existing
    refunded = (
        LedgerEntry.objects.filter(
            tenant=tenant, reference=reference, kind=LedgerEntry.Kind.REFUND
        ).aggregate(total=Sum("purchased_delta"))["total"]
        or ZERO
    )
    refundable = captured_total(tenant=tenant, reference=reference) - refunded
    give = min(credits(amount), refundable)
    if give <= 0:
        return None
    return _write(
        account,
        kind=LedgerEntry.Kind.REFUND,
        deltas=_Deltas(purchased=give),
        key=idempotency_key,
        reference=reference,
        reason=reason,
    )


@transaction.atomic
def credit_grant(
    *,
    tenant: Tenant,
    amount: Decimal,
    period_start: datetime,
    period_end: datetime,
    idempotency_key: str,
    reason: str,
) -> LedgerEntry:
    """Start an allowance period: what is left of the last one expires, `amount` is granted.

    Once per key (one invoice, one free month): a replayed grant returns the first entry.
    """
    amount = credits(amount)
    account = account_lock(tenant=tenant)
    existing = _existing(tenant, idempotency_key)
    if existing is not None:
        return existing
    if account.period_end is not None and period_end < account.period_end:
        # An older period's grant arriving late (out-of-order invoices): record it, grant nothing.
        # A grant for the current period (an upgrade) replaces what is left of the current one.
        return _write(
            account,
            kind=LedgerEntry.Kind.GRANT,
            deltas=_Deltas(),
            key=idempotency_key,
            reference=reason,
            reason=f"{reason}: its period is over, nothing granted",
        )
    _expire(account, reason="the period ended")
    account.allowance = amount
    account.period_start = period_start
    account.period_end = period_end
    return _write(
        account,
        kind=LedgerEntry.Kind.GRANT,
        deltas=_Deltas(granted=amount),
        key=idempotency_key,
        reference=reason,
        reason=f"{reason}, until {period_end:%Y-%m-%d}",
    )


def _expire(account: CreditAccount, *, reason: str) -> LedgerEntry | None:
    if not account.granted or account.period_end is None:
        return None
    return _write(
        account,
        kind=LedgerEntry.Kind.EXPIRE,
        deltas=_Deltas(granted=-account.granted),
        key=f"expire:{account.period_end.isoformat()}",
        reason=reason,
    )


@transaction.atomic
def credits_expire_due(*, tenant: Tenant, now: datetime | None = None) -> LedgerEntry | None:
    """Expire the granted credits of a period that has ended (the beat sweep calls this)."""
    account = account_lock(tenant=tenant)
    now = now or timezone.now()
    if account.period_end is None or account.period_end > now:
        return None
    if _existing(tenant, f"expire:{account.period_end.isoformat()}") is not None:
        return None
    return _expire(account, reason="the period ended")


@transaction.atomic
def credit_purchase(
    *, tenant: Tenant, amount: Decimal, idempotency_key: str, reference: str, reason: str
) -> LedgerEntry:
    """Add purchased credits (they never expire), once per key (one Checkout session)."""
    account = account_lock(tenant=tenant)
    existing = _existing(tenant, idempotency_key)
    if existing is not None:
        return existing
    return _write(
        account,
        kind=LedgerEntry.Kind.PURCHASE,
        deltas=_Deltas(purchased=credits(amount)),
        key=idempotency_key,
        reference=reference,
        reason=reason,
    )


@transaction.atomic
def credit_claw_back(
    *, tenant: Tenant, amount: Decimal, idempotency_key: str, reference: str, reason: str
) -> LedgerEntry:
    """Take back up to `amount` purchased credits that are still unspent (a refunded charge)."""
    account = account_lock(tenant=tenant)
    existing = _existing(tenant, idempotency_key)
    if existing is not None:
        return existing
    take = min(credits(amount), account.purchased)
    return _write(
        account,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        deltas=_Deltas(purchased=-take),
        key=idempotency_key,
        reference=reference,
        reason=reason,
    )


@transaction.atomic
def credit_adjust(
    *, tenant: Tenant, actor: User, amount: Decimal, reason: str, idempotency_key: str
) -> LedgerEntry:
    """A staff correction: adds purchased credits, or removes available ones (audited)."""
    amount = credits(amount)
    if not reason.strip():
        raise LedgerError("An adjustment needs a reason.")
    if not amount:
        raise LedgerError("An adjustment of 0 credits changes nothing.")
    account = account_lock(tenant=tenant)
    existing = _existing(tenant, idempotency_key)
    if existing is not None:
        return existing
    if amount > 0:
        deltas = _Deltas(purchased=amount)
    else:
        if -amount > account.available:
            raise LedgerError(
                f"The brand has {account.available} credits available; it cannot lose {-amount}."
            )
        from_granted = min(-amount, account.granted)
        deltas = _Deltas(granted=-from_granted, purchased=amount + from_granted)
    entry = _write(
        account,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        deltas=deltas,
        key=idempotency_key,
        reference="staff",
        reason=reason,
        actor=actor,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="credits.adjusted",
        target=entry,
        data={"amount": str(amount), "reason": reason},
    )
    return entry


@dataclass(frozen=True)
class LedgerCheck:
    account: dict[str, Decimal]
    entries: dict[str, Decimal]
    holds: Decimal

    @property
    def anomalies(self) -> list[str]:
        found = [
            f"{name}: account {self.account[name]} but entries add up to {self.entries[name]}"
            for name in self.account
            if self.account[name] != self.entries[name]
        ]
        reserved = self.account["reserved_granted"] + self.account["reserved_purchased"]
        if self.holds != reserved:
            found.append(f"reserved {reserved} but open holds add up to {self.holds}")
        return found


def ledger_verify(*, tenant: Tenant) -> LedgerCheck:
    """Re-add the brand's entries and holds and compare them with its account."""
    account = CreditAccount.objects.filter(tenant=tenant).first()
    names = ("granted", "purchased", "reserved_granted", "reserved_purchased")
    sums = LedgerEntry.objects.filter(tenant=tenant).aggregate(
        **{name: Sum(f"{name}_delta") for name in names}
    )
    holds = CreditHold.objects.filter(tenant=tenant).aggregate(
        granted=Sum("granted"), purchased=Sum("purchased")
    )
    return LedgerCheck(
        account={name: getattr(account, name) if account else ZERO for name in names},
        entries={name: sums[name] or ZERO for name in names},
        holds=(holds["granted"] or ZERO) + (holds["purchased"] or ZERO),
    )
