from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from billing import ledger
from billing.exceptions import InsufficientCredits
from billing.models import CreditHold, LedgerEntry
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tests.billing.factories import anomalies, balance, funded
from tests.tenants.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def entries(tenant, **filters):
    with tenant_scope(tenant.pk):
        return list(
            LedgerEntry.objects.filter(tenant=tenant, **filters)
            .order_by("pk")
            .values_list("kind", "idempotency_key")
        )


@override_settings(APP_BILLING_DEFAULT_PLAN="free")
def test_a_new_brand_opens_with_this_months_free_allowance():
    tenant = TenantFactory()

    with tenant_scope(tenant.pk):
        account = ledger.account_lock(tenant=tenant)

    start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    assert (account.granted, account.purchased, account.allowance) == (D(50), D(0), D(50))
    assert account.period_start == start
    assert entries(tenant) == [("grant", f"grant:free:{start:%Y-%m}")]
    assert anomalies(tenant) == []


def test_reserve_capture_release_moves_credits_exactly():
    tenant = TenantFactory()
    funded(tenant, granted=10)

    with tenant_scope(tenant.pk):
        ledger.credit_reserve(tenant=tenant, reference="job:1", amount=D(6), idempotency_key="r1")
        assert balance(tenant) | {} == {
            "granted": D(4), "purchased": D(0), "reserved": D(6), "available": D(4),
        }  # fmt: skip
        for n in range(4):
            ledger.credit_capture(
                tenant=tenant, reference="job:1", amount=D(1), idempotency_key=f"c{n}"
            )
        ledger.credit_release(tenant=tenant, reference="job:1")
        hold = CreditHold.objects.get(tenant=tenant, reference="job:1")

    assert balance(tenant) == {
        "granted": D(6), "purchased": D(0), "reserved": D(0), "available": D(6),
    }  # fmt: skip
    assert (hold.captured, hold.held, hold.closed_at is not None) == (D(4), D(0), True)
    assert anomalies(tenant) == []


def test_a_redelivered_capture_charges_once():
    tenant = TenantFactory()
    funded(tenant, granted=10)

    with tenant_scope(tenant.pk):
        ledger.credit_reserve(tenant=tenant, reference="job:1", amount=D(3), idempotency_key="r1")
        first = ledger.credit_capture(
            tenant=tenant, reference="job:1", amount=D(1), idempotency_key="capture:render:7"
        )
        again = ledger.credit_capture(
            tenant=tenant, reference="job:1", amount=D(1), idempotency_key="capture:render:7"
        )

    assert again.pk == first.pk
    assert entries(tenant, kind="capture") == [("capture", "capture:render:7")]
    assert balance(tenant)["reserved"] == D(2)
    assert anomalies(tenant) == []


def test_a_reservation_the_brand_cannot_afford_is_refused_and_writes_nothing():
    tenant = TenantFactory()
    funded(tenant, granted=5, purchased=2)
    before = entries(tenant)

    with tenant_scope(tenant.pk), pytest.raises(InsufficientCredits) as refused:
        ledger.credit_reserve(tenant=tenant, reference="job:1", amount=D(8), idempotency_key="r")

    assert (refused.value.needed, refused.value.available, refused.value.shortfall) == (
        D(8), D(7), D(1),
    )  # fmt: skip
    assert "1.00 short" in str(refused.value)
    assert entries(tenant) == before
    assert balance(tenant)["available"] == D(7)


def test_granted_credits_are_spent_before_purchased_ones():
    tenant = TenantFactory()
    funded(tenant, granted=3, purchased=10)

    with tenant_scope(tenant.pk):
        hold = ledger.credit_reserve(
            tenant=tenant, reference="job:1", amount=D(5), idempotency_key="r"
        )

    assert (hold.granted, hold.purchased) == (D(3), D(2))
    assert balance(tenant) | {} == {
        "granted": D(0), "purchased": D(8), "reserved": D(5), "available": D(8),
    }  # fmt: skip


def test_a_new_period_expires_what_is_left_of_the_last_but_never_purchased_credits():
    tenant = TenantFactory()
    funded(tenant, granted=10, purchased=4)
    with tenant_scope(tenant.pk):
        ledger.credit_reserve(tenant=tenant, reference="job:1", amount=D(3), idempotency_key="r")
        ledger.credit_capture(tenant=tenant, reference="job:1", amount=D(3), idempotency_key="c")
        now = timezone.now()
        ledger.credit_grant(
            tenant=tenant,
            amount=D(50),
            period_start=now + timedelta(days=29),
            period_end=now + timedelta(days=59),
            idempotency_key="grant:next",
            reason="next month",
        )
        expired = LedgerEntry.objects.filter(tenant=tenant, kind="expire").latest("pk")

    assert expired.granted_delta == D(-7)
    assert balance(tenant) | {} == {
        "granted": D(50), "purchased": D(4), "reserved": D(0), "available": D(54),
    }  # fmt: skip
    assert anomalies(tenant) == []


def test_granted_credits_held_across_the_period_end_expire_when_released():
    tenant = TenantFactory()
    funded(tenant, granted=10)
    with tenant_scope(tenant.pk):
        ledger.credit_reserve(tenant=tenant, reference="job:1", amount=D(6), idempotency_key="r")
        now = timezone.now()
        ledger.credit_grant(
            tenant=tenant,
            amount=D(20),
            period_start=now,
            period_end=now + timedelta(days=60),
            idempotency_key="grant:next",
            reason="next month",
        )
        ledger.credit_capture(tenant=tenant, reference="job:1", amount=D(1), idempotency_key="c")
        release = ledger.credit_release(tenant=tenant, reference="job:1")

    assert release is not None
    assert (release.granted_delta, release.reserved_granted_delta) == (D(0), D(-5))
    assert release.reason == "expired with its period"
    assert balance(tenant)["available"] == D(20)
    assert anomalies(tenant) == []


def test_a_replayed_grant_grants_once_and_a_late_older_one_grants_nothing():
    tenant = TenantFactory()
    now = timezone.now()
    with tenant_scope(tenant.pk):
        kwargs = dict(period_start=now, period_end=now + timedelta(days=30), reason="invoice")
        ledger.credit_grant(tenant=tenant, amount=D(500), idempotency_key="grant:in_2", **kwargs)
        ledger.credit_grant(tenant=tenant, amount=D(500), idempotency_key="grant:in_2", **kwargs)
        late = ledger.credit_grant(
            tenant=tenant,
            amount=D(500),
            period_start=now - timedelta(days=30),
            period_end=now,
            idempotency_key="grant:in_1",
            reason="invoice",
        )

    assert late.available_delta == D(0)
    assert balance(tenant)["granted"] == D(500)
    assert anomalies(tenant) == []


def test_a_refund_gives_back_at_most_what_was_charged_once_per_key_as_purchased_credits():
    tenant = TenantFactory()
    funded(tenant, granted=1, purchased=5)
    with tenant_scope(tenant.pk):
        ledger.credit_reserve(tenant=tenant, reference="job:1", amount=D(4), idempotency_key="r")
        ledger.credit_capture(tenant=tenant, reference="job:1", amount=D(2), idempotency_key="c")
        ledger.credit_release(tenant=tenant, reference="job:1")
        for _ in range(2):
            first = ledger.credit_refund(
                tenant=tenant, reference="job:1", amount=D(1), idempotency_key="refund:a",
                reason="rejected",
            )  # fmt: skip
        second = ledger.credit_refund(
            tenant=tenant, reference="job:1", amount=D(5), idempotency_key="refund:b",
            reason="rejected",
        )  # fmt: skip
        nothing_left = ledger.credit_refund(
            tenant=tenant, reference="job:1", amount=D(1), idempotency_key="refund:c",
            reason="rejected",
        )  # fmt: skip

    assert first is not None and second is not None
    assert (first.purchased_delta, second.purchased_delta, nothing_left) == (D(1), D(1), None)
    assert balance(tenant) | {} == {
        "granted": D(0), "purchased": D(6), "reserved": D(0), "available": D(6),
    }  # fmt: skip
    assert entries(tenant, kind="refund") == [("refund", "refund:a"), ("refund", "refund:b")]
    assert anomalies(tenant) == []


def test_a_claw_back_takes_only_unspent_purchased_credits():
    tenant = TenantFactory()
    funded(tenant, granted=10, purchased=3)

    with tenant_scope(tenant.pk):
        entry = ledger.credit_claw_back(
            tenant=tenant, amount=D(200), idempotency_key="k", reference="ch_1", reason="refund"
        )

    assert entry.purchased_delta == D(-3)
    assert balance(tenant) | {} == {
        "granted": D(10), "purchased": D(0), "reserved": D(0), "available": D(10),
    }  # fmt: skip


def test_a_staff_adjustment_is_audited_and_cannot_go_below_zero():
    tenant = TenantFactory()
    funded(tenant, granted=4)
    staff = UserFactory(is_staff=True)

    with tenant_scope(tenant.pk):
        added = ledger.credit_adjust(
            tenant=tenant, actor=staff, amount=D(10), reason="goodwill", idempotency_key="a1"
        )
        with pytest.raises(ledger.LedgerError, match="cannot lose 20"):
            ledger.credit_adjust(
                tenant=tenant, actor=staff, amount=D(-20), reason="x", idempotency_key="a2"
            )
        with pytest.raises(ledger.LedgerError, match="needs a reason"):
            ledger.credit_adjust(
                tenant=tenant, actor=staff, amount=D(1), reason=" ", idempotency_key="a3"
            )
        audit = AuditEvent.objects.get(tenant=tenant, action="credits.adjusted")

    assert (added.purchased_delta, added.actor_id) == (D(10), staff.pk)
    assert audit.data == {"amount": "10.00", "reason": "goodwill"}
    assert audit.actor_id == staff.pk
    assert balance(tenant)["available"] == D(14)


@pytest.mark.parametrize("statement", ["UPDATE {table} SET reason = 'x'", "DELETE FROM {table}"])
def test_ledger_entries_cannot_be_rewritten_or_removed(statement):
    tenant = TenantFactory()
    funded(tenant, granted=1)

    with tenant_scope(tenant.pk):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement.format(table="billing_ledgerentry"))
        assert LedgerEntry.objects.filter(tenant=tenant).count() >= 2
