from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from billing import ledger, plans
from billing.models import BalanceNotice, LedgerEntry
from billing.notices_mail import balance_notice_email
from tenants.context import tenant_scope
from tenants.roles import Role
from tenants.services import SeatLimitReached
from tests.billing.factories import anomalies, balance, funded, on_plan
from tests.tenants.factories import TenantFactory, UserFactory, api_key, invite, member, rows

pytestmark = pytest.mark.django_db

D = Decimal


@override_settings(APP_BILLING_DEFAULT_PLAN="free")
def test_beat_grants_free_brands_each_month_once_and_expires_the_last_month():
    tenant = TenantFactory()
    with tenant_scope(tenant.pk):
        ledger.account_lock(tenant=tenant)  # this month's 50
    _start, this_month_end = plans.month_bounds(timezone.now())
    next_month = this_month_end + timedelta(days=2)

    plans.periods_roll_all(now=next_month)
    plans.periods_roll_all(now=next_month)  # beat runs again: nothing new

    keys = [e.idempotency_key for e in rows(LedgerEntry, tenant, kind="grant")]
    assert keys[-1] == f"grant:free:{next_month:%Y-%m}"
    assert len(keys) == 2
    expired = rows(LedgerEntry, tenant, kind="expire")
    assert [e.granted_delta for e in expired] == [D(-50)]
    assert balance(tenant)["granted"] == D(50)
    assert anomalies(tenant) == []


def test_beat_leaves_stripe_billed_brands_to_their_invoices():
    tenant = TenantFactory()
    on_plan(tenant, "pro", stripe_subscription_id="sub_1", status="active")
    funded(tenant, granted=500)

    plans.periods_roll_all(now=datetime(2027, 3, 1, tzinfo=UTC))

    assert [e.idempotency_key for e in rows(LedgerEntry, tenant, kind="grant")][-1].startswith(
        "grant:test:"
    )
    assert balance(tenant)["granted"] == D(0)  # the period ended with no paid invoice


def test_notices_fire_once_at_80_and_once_at_100_percent_of_the_allowance():
    tenant = TenantFactory()
    funded(tenant, granted=10)

    def spend(n: int) -> None:
        with tenant_scope(tenant.pk):
            ledger.credit_reserve(
                tenant=tenant, reference=f"job:{n}", amount=D(1), idempotency_key=f"r{n}"
            )
            ledger.credit_capture(
                tenant=tenant, reference=f"job:{n}", amount=D(1), idempotency_key=f"c{n}"
            )

    for n in range(7):
        spend(n)
    assert rows(BalanceNotice, tenant) == []
    spend(7)
    spend(8)
    assert [n.threshold for n in rows(BalanceNotice, tenant)] == [80]
    spend(9)

    assert [n.threshold for n in rows(BalanceNotice, tenant)] == [80, 100]


def test_the_notice_email_goes_to_owners_and_admins_only():
    tenant = TenantFactory(name="Lotus Tea")
    owner, admin, editor = UserFactory(), UserFactory(), UserFactory()
    member(tenant, Role.OWNER, user=owner)
    member(tenant, Role.ADMIN, user=admin)
    member(tenant, Role.EDITOR, user=editor)
    funded(tenant, granted=10)
    with tenant_scope(tenant.pk):
        notice = BalanceNotice.objects.create(
            tenant=tenant, period_end=ledger.account_lock(tenant=tenant).period_end, threshold=80
        )
        sent = balance_notice_email(tenant_id=tenant.pk, notice_id=notice.pk)

    assert sent == 2
    [message] = mail.outbox
    assert sorted(message.to) == sorted([owner.email, admin.email])
    assert message.subject == "Lotus Tea has used 80% of this month's credits"
    assert "10.00 plan credits" in message.body


def test_invitations_stop_at_the_plans_seats_and_resume_when_one_is_freed():
    tenant = TenantFactory()
    on_plan(tenant, "pro")  # 3 seats
    owner = UserFactory()
    member(tenant, user=owner)
    invite(tenant, owner, "a@brand.test")
    _invitation, _token = invite(tenant, owner, "b@brand.test")

    with pytest.raises(SeatLimitReached, match="All 3 seats"):
        invite(tenant, owner, "c@brand.test")
    invite(tenant, owner, "b@brand.test")  # a new invitation to the same address replaces it

    assert sorted(i.email for i in rows_open_invitations(tenant)) == [
        "a@brand.test",
        "b@brand.test",
    ]


def rows_open_invitations(tenant):
    from tenants.models import Invitation

    return [i for i in rows(Invitation, tenant) if i.revoked_at is None]


def test_a_downgrade_keeps_the_members_but_nobody_new_joins():
    tenant = TenantFactory()
    owner = UserFactory()
    member(tenant, user=owner)
    _invitation, token = invite(tenant, owner, "late@brand.test")
    member(tenant, Role.EDITOR)
    on_plan(tenant, "free")  # 1 seat; two members already

    from tenants.services import invitation_accept

    with pytest.raises(ValidationError, match="seats"):
        invitation_accept(token=token, user=UserFactory(email="late@brand.test"))
    with pytest.raises(SeatLimitReached):
        invite(tenant, owner, "other@brand.test")

    assert len(rows_members(tenant)) == 2


def rows_members(tenant):
    from tenants.models import Membership

    return rows(Membership, tenant)


@override_settings(APP_API_RATE_LIMIT="1000/min")
def test_a_plans_stricter_rate_limit_applies_to_its_api_keys(redis_client):
    from billing.models import Plan

    tenant = TenantFactory()
    on_plan(tenant, "team")
    Plan.objects.filter(code="team").update(api_rate_limit="2/min")
    _row, key = api_key(tenant, scopes=("billing:read",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    statuses = [client.get("/api/v1/billing/credits").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]

    dashboard = APIClient()
    dashboard.force_login(member(tenant, Role.OWNER).user)
    dashboard.get("/api/v1/billing/credits")  # the dashboard keeps the installation's limit
    assert [dashboard.get("/api/v1/billing/credits").status_code for _ in range(3)] == [200] * 3


@override_settings(APP_BILLING_DEFAULT_PLAN="free")
def test_assign_plan_moves_a_brand_to_team_this_month_once():
    from django.core.management import call_command

    tenant = TenantFactory(slug="demo-shop")
    with tenant_scope(tenant.pk):
        ledger.account_lock(tenant=tenant)  # on Free: 50

    call_command("assign_plan", "--tenant", "demo-shop", "--plan", "team")
    call_command("assign_plan", "--tenant", "demo-shop", "--plan", "team")

    assert balance(tenant)["granted"] == D(2000)
    kinds = [(e.kind, e.granted_delta) for e in rows(LedgerEntry, tenant)]
    assert kinds == [("grant", D(50)), ("expire", D(-50)), ("grant", D(2000))]
    with tenant_scope(tenant.pk):
        assert plans.plan_for(tenant=tenant).code == "team"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nobody", "--plan", "team"], "No brand has the slug 'nobody'."),
        (["--tenant", "demo-shop", "--plan", "gold"], "No plan has the code 'gold'"),
    ],
)
def test_assign_plan_refuses_unknown_brands_and_plans_in_one_sentence(args, message):
    from django.core.management import CommandError, call_command

    TenantFactory(slug="demo-shop")

    with pytest.raises(CommandError, match=message):
        call_command("assign_plan", *args)
