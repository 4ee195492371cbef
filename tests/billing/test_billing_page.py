"""The brand's billing page, its hand-offs to Stripe, and the staff credit pages."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing import ledger, stripe_sync
from billing.models import (
    CheckoutSession,
    CreditPack,
    LedgerEntry,
    Plan,
    StripeCustomer,
    StripeEvent,
)
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.billing.factories import balance, funded, on_plan
from tests.billing.fake_stripe import FakeStripe
from tests.tenants.factories import TenantFactory, UserFactory, member, rows

pytestmark = pytest.mark.django_db

D = Decimal
CHECKOUT_BUTTON = 'action="/billing/checkout"'
PORTAL_BUTTON = 'action="/billing/portal"'


@pytest.fixture
def fake():
    with FakeStripe(api_key=settings.STRIPE_SECRET_KEY) as server:
        server.add_price("price_pro", unit_amount=2999, recurring_interval="month")
        server.add_price("price_pack200", unit_amount=1499)
        Plan.objects.filter(code="pro").update(stripe_price_id="price_pro")
        CreditPack.objects.filter(code="pack-200").update(stripe_price_id="price_pack200")
        with override_settings(STRIPE_API_BASE=server.url):
            yield server


@pytest.fixture
def brand():
    return TenantFactory(name="Lotus Tea")


@pytest.fixture
def owner(brand):
    return member(brand, Role.OWNER).user


def spend(tenant, amount, reference: str) -> None:
    """A job's life in the ledger: reserve, charge what was delivered, release the rest."""
    with tenant_scope(tenant.pk):
        ledger.credit_reserve(
            tenant=tenant,
            reference=reference,
            amount=D(amount),
            idempotency_key=f"reserve:{reference}",
        )
        ledger.credit_capture(
            tenant=tenant,
            reference=reference,
            amount=D(amount),
            idempotency_key=f"capture:{reference}",
        )
        ledger.credit_release(tenant=tenant, reference=reference)


def purchase(tenant, amount, *, key: str, reason: str) -> None:
    with tenant_scope(tenant.pk):
        ledger.credit_purchase(
            tenant=tenant, amount=D(amount), idempotency_key=key, reference=key, reason=reason
        )


# THE BRAND'S PAGE ---------------------------------------------------------------------------


def test_the_page_shows_the_plan_balances_chart_and_ledger_of_its_brand(client, brand, owner):
    funded(brand, granted=500, purchased=200)
    spend(brand, 12, "job:1")
    other = TenantFactory(name="Other brand")
    purchase(other, 999, key="other-pack", reason="Pack of the other brand")
    client.force_login(owner)

    response = client.get("/billing/")

    assert response.status_code == 200
    context = response.context
    assert context["plan"].code == "team"  # the test settings' default plan
    assert (context["balance"].granted, context["balance"].purchased) == (D(488), D(200))
    assert context["balance"].available == D(688)
    assert context["allowance_percent"] == 2  # 12 of 500
    assert context["chart"].total == D(12)
    assert context["chart"].bars[-1].credits == D(12)
    assert len(context["chart"].bars) == 30
    entries = list(context["page_obj"].object_list)
    assert {entry.tenant_id for entry in entries} == {brand.pk}
    assert [entry.kind for entry in entries[:2]] == ["capture", "reserve"]
    html = response.text
    assert "Team" in html and "$99.99" in html
    assert 'id="credits-available">688<' in html
    assert 'id="credits-purchased">200<' in html
    assert 'id="usage-total">12<' in html
    assert html.count("<rect ") == 1
    assert "test pack" in html
    assert "Pack of the other brand" not in html and "other-pack" not in html
    assert 'aria-current="page">Billing</a>' in html


def test_the_ledger_shows_25_entries_a_page(client, brand, owner):
    funded(brand, granted=100)
    for n in range(30):
        purchase(brand, 1, key=f"pack-{n}", reason=f"Pack {n}")
    total = len(rows(LedgerEntry, brand))
    client.force_login(owner)

    first = client.get("/billing/").context["page_obj"]
    second = client.get("/billing/?page=2").context["page_obj"]

    assert len(first.object_list) == 25
    assert len(second.object_list) == total - 25
    assert first.object_list[0].reason == "Pack 29"


def test_the_page_costs_the_same_queries_however_long_the_ledger(client, brand, owner):
    funded(brand, granted=500)
    client.force_login(owner)
    with CaptureQueriesContext(connection) as short:
        client.get("/billing/")
    for n in range(30):
        spend(brand, 1, f"job:{n}")

    with CaptureQueriesContext(connection) as long:
        client.get("/billing/")

    assert len(long.captured_queries) == len(short.captured_queries)


@pytest.mark.parametrize(
    ("spent", "banner"),
    [
        (50, None),
        (85, "85% of this period's plan credits are used."),
        (100, "This period's 100 plan credits are used up."),
    ],
)
def test_a_low_balance_banner_follows_the_notices(client, brand, owner, spent, banner):
    funded(brand, granted=100, purchased=30)
    spend(brand, spent, "job:1")
    client.force_login(owner)

    html = client.get("/billing/").text

    if banner is None:
        assert 'class="notice billing-notice' not in html
    else:
        assert banner in html
    if spent == 100:
        assert "Jobs now spend your 30 purchased credits." in html


@pytest.mark.parametrize(
    ("returned", "text"),
    [
        ("success", "Payment received — your credits appear in a few seconds."),
        ("cancelled", "Checkout cancelled, nothing was charged."),
    ],
)
def test_coming_back_from_checkout_says_what_happened(client, owner, returned, text):
    client.force_login(owner)

    assert text in client.get(f"/billing/?checkout={returned}").text


def test_a_subscription_in_arrears_shows_its_grace_period(client, brand, owner):
    grace_until = timezone.now() + timedelta(days=5)
    on_plan(
        brand, "pro", status="past_due", stripe_subscription_id="sub_1", grace_until=grace_until
    )
    client.force_login(owner)

    html = client.get("/billing/").text

    assert "Past due" in html
    assert f"grace until {grace_until:%Y-%m-%d}" in html


def test_a_subscription_cancelling_at_period_end_says_so(client, brand, owner):
    ends = timezone.now() + timedelta(days=12)
    on_plan(
        brand,
        "pro",
        stripe_subscription_id="sub_1",
        cancel_at_period_end=True,
        current_period_end=ends,
    )
    client.force_login(owner)

    html = client.get("/billing/").text

    assert "Cancels at period end" in html
    assert f"Cancels at the end of the period, on {ends:%Y-%m-%d}" in html


def test_the_page_speaks_chinese(client, owner):
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    html = client.get("/billing/").text

    for text in ("<h1>账单</h1>", "当前套餐", "可用", "永不过期", "最近 30 天", "管理账单"):
        assert text in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_members_without_billing_rights_read_the_page_but_cannot_pay(client, brand, fake, role):
    client.force_login(member(brand, role).user)

    page = client.get("/billing/")
    checkout = client.post("/billing/checkout", {"plan": "pro"})
    pack = client.post("/billing/checkout", {"pack": "pack-200"})
    portal = client.post("/billing/portal")

    assert page.status_code == 200
    assert CHECKOUT_BUTTON not in page.text and PORTAL_BUTTON not in page.text
    assert "Only the brand's owner can change the plan or buy credits." in page.text
    assert (checkout.status_code, pack.status_code, portal.status_code) == (403, 403, 403)
    assert rows(CheckoutSession, brand) == []
    assert rows(StripeCustomer, brand) == []
    assert fake.requests == []


def test_the_page_lets_its_forms_go_on_to_stripe_and_nowhere_else(client, owner, fake):
    client.force_login(owner)

    with override_settings(STRIPE_API_BASE="https://api.stripe.com"):
        live = client.get("/billing/")["Content-Security-Policy"]
    local = client.get("/billing/")["Content-Security-Policy"]
    other_page = client.get("/jobs/")["Content-Security-Policy"]

    assert "form-action 'self' https://checkout.stripe.com https://billing.stripe.com" in live
    assert f"form-action 'self' {fake.url}" in local
    assert "form-action 'self';" in other_page


def test_the_owner_sees_the_buttons(client, owner, fake):
    client.force_login(owner)

    html = client.get("/billing/").text

    assert PORTAL_BUTTON in html
    assert 'name="plan" value="pro"' in html  # sold online: it has a Stripe price
    assert 'name="plan" value="free"' not in html  # no Stripe price: not sold online
    assert 'name="pack" value="pack-200"' in html


def test_an_owners_upgrade_goes_to_stripe_checkout(client, brand, owner, fake):
    client.force_login(owner)

    response = client.post("/billing/checkout", {"plan": "pro"})

    [session] = rows(CheckoutSession, brand)
    assert response.status_code == 303
    assert response["Location"] == f"{fake.url}/pay/{session.session_id}"
    assert (session.kind, session.plan.code, session.created_by) == ("subscription", "pro", owner)
    [created] = [r for r in fake.requests if r.path == "/v1/checkout/sessions"]
    assert created.params["success_url"] == "http://testserver/billing/?checkout=success"
    assert created.params["cancel_url"] == "http://testserver/billing/?checkout=cancelled"


def test_an_owner_buys_a_credit_pack_through_checkout(client, brand, owner, fake):
    client.force_login(owner)

    response = client.post("/billing/checkout", {"pack": "pack-200"})

    [session] = rows(CheckoutSession, brand)
    assert response.status_code == 303
    assert response["Location"] == f"{fake.url}/pay/{session.session_id}"
    assert (session.kind, session.pack.code) == ("pack", "pack-200")
    assert balance(brand)["purchased"] == D(0)  # credits come with the webhook, not the redirect


def test_when_stripe_is_unreachable_the_page_says_so_and_nothing_is_written(
    client, brand, owner, fake
):
    fake.set_unreachable(True)
    client.force_login(owner)

    response = client.post("/billing/checkout", {"plan": "pro"}, follow=True)

    assert response.redirect_chain == [("/billing/", 302)]
    assert "could not be reached, so nothing was charged" in response.text
    assert "Please try again in a minute." in response.text
    assert rows(CheckoutSession, brand) == []
    assert rows(StripeCustomer, brand) == []


def test_a_plan_without_a_stripe_price_is_refused_with_the_reason(client, brand, owner, fake):
    client.force_login(owner)

    response = client.post("/billing/checkout", {"plan": "free"}, follow=True)

    assert response.redirect_chain == [("/billing/", 302)]
    assert "The plan &#x27;free&#x27; cannot be bought online." in response.text
    assert rows(CheckoutSession, brand) == []


def test_manage_billing_opens_the_stripe_portal(client, brand, owner, fake):
    with tenant_scope(brand.pk):
        stripe_sync.customer_ensure(tenant=brand)
    client.force_login(owner)

    response = client.post("/billing/portal")

    assert response.status_code == 303
    assert re.fullmatch(rf"{fake.url}/portal/bps_\w+", response["Location"])
    [opened] = [r for r in fake.requests if r.path == "/v1/billing_portal/sessions"]
    assert opened.params["return_url"] == "http://testserver/billing/"


def test_manage_billing_before_any_payment_explains_why_not(client, owner, fake):
    client.force_login(owner)

    response = client.post("/billing/portal", follow=True)

    assert response.redirect_chain == [("/billing/", 302)]
    assert "The brand has not paid through Stripe yet" in response.text
    assert fake.requests == []


# STAFF PAGES --------------------------------------------------------------------------------


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def adjust(client, brand, **data):
    return client.post(f"/staff/billing/{brand.slug}/", data)


def adjustments(tenant) -> list[LedgerEntry]:
    return rows(LedgerEntry, tenant, kind=LedgerEntry.Kind.ADJUSTMENT)


def test_the_staff_pages_are_404_for_brand_members(client, brand, owner):
    funded(brand, granted=100)
    client.force_login(owner)

    overview = client.get("/staff/billing/")
    detail = client.get(f"/staff/billing/{brand.slug}/")
    post = adjust(
        client, brand, amount="50", reason="gift", key="5b0c8a46-7c55-4f5e-9d1e-1c2b3a4d5e6f"
    )

    assert (overview.status_code, detail.status_code, post.status_code) == (404, 404, 404)
    assert adjustments(brand) == []


def test_the_staff_pages_send_the_signed_out_to_log_in(client, brand):
    response = client.get("/staff/billing/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_staff_overview_lists_brands_with_plans_balances_and_flagged_events(client, staff):
    lotus, pine = TenantFactory(name="Lotus Tea"), TenantFactory(name="Pine Ink")
    funded(lotus, granted=500, purchased=40)
    on_plan(pine, "pro", status="past_due", grace_until=timezone.now() + timedelta(days=3))
    now = timezone.now()
    StripeEvent.objects.create(
        event_id="evt_unknown_customer",
        type="invoice.paid",
        payload={},
        stripe_created=now,
        status=StripeEvent.Status.FLAGGED,
        note="No brand has the Stripe customer 'cus_nobody'.",
    )
    StripeEvent.objects.create(
        event_id="evt_processed", type="invoice.paid", payload={}, stripe_created=now,
        status=StripeEvent.Status.PROCESSED,
    )  # fmt: skip
    client.force_login(staff)

    response = client.get("/staff/billing/")

    assert response.status_code == 200
    by_name = {row.tenant.name: row for row in response.context["rows"]}
    assert by_name["Lotus Tea"].account.available == D(540)
    assert by_name["Lotus Tea"].subscription is None
    assert by_name["Pine Ink"].subscription.plan.code == "pro"
    assert by_name["Pine Ink"].account is None
    html = response.text
    assert 'Team <span class="small muted">(default)</span>' in html
    assert "Past due" in html
    assert "evt_unknown_customer" in html and "invoice.paid" in html
    assert "No brand has the Stripe customer &#x27;cus_nobody&#x27;." in html
    assert "evt_processed" not in html


def test_the_staff_overview_costs_the_same_queries_for_more_brands(client, staff):
    for _ in range(3):
        funded(TenantFactory(), granted=10)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as three:
        client.get("/staff/billing/")
    for _ in range(4):
        funded(TenantFactory(), granted=10)

    with CaptureQueriesContext(connection) as seven:
        response = client.get("/staff/billing/")

    assert len(response.context["rows"]) == 7
    assert len(seven.captured_queries) == len(three.captured_queries)


def test_the_staff_brand_page_shows_its_ledger_only(client, staff, brand):
    funded(brand, granted=100)
    other = TenantFactory()
    purchase(other, 5, key="other-pack", reason="Pack of the other brand")
    client.force_login(staff)

    response = client.get(f"/staff/billing/{brand.slug}/")

    assert response.status_code == 200
    assert {e.tenant_id for e in response.context["page_obj"].object_list} == {brand.pk}
    assert "Pack of the other brand" not in response.text
    assert client.get("/staff/billing/no-such-brand/").status_code == 404


def test_an_adjustment_submitted_twice_with_one_form_key_applies_once(client, staff, brand):
    funded(brand, granted=100)
    client.force_login(staff)
    form = client.get(f"/staff/billing/{brand.slug}/").context["form"]
    key = str(form.initial["key"])

    first = adjust(client, brand, amount="25.50", reason="Goodwill after outage", key=key)
    second = adjust(client, brand, amount="25.50", reason="Goodwill after outage", key=key)

    assert (first.status_code, second.status_code) == (302, 302)
    [entry] = adjustments(brand)
    assert (entry.purchased_delta, entry.actor, entry.reason) == (
        D("25.50"),
        staff,
        "Goodwill after outage",
    )
    assert balance(brand)["purchased"] == D("25.50")
    assert len(rows(AuditEvent, brand, action="credits.adjusted")) == 1
    page = client.get(f"/staff/billing/{brand.slug}/")
    assert "This adjustment was already applied once." in page.text
    assert str(page.context["form"].initial["key"]) != key  # a new form, a new key


def test_a_new_form_key_adjusts_again(client, staff, brand):
    funded(brand, granted=100)
    client.force_login(staff)

    for _ in range(2):
        key = str(client.get(f"/staff/billing/{brand.slug}/").context["form"].initial["key"])
        adjust(client, brand, amount="-10", reason="Duplicate render", key=key)

    assert [e.available_delta for e in adjustments(brand)] == [D(-10), D(-10)]
    assert balance(brand)["available"] == D(80)


@pytest.mark.parametrize(
    ("amount", "reason", "error"),
    [
        ("25", "   ", "This field is required."),
        (
            "-150",
            "Too generous last month",
            "The brand has 100.00 credits available; it cannot lose 150.00.",
        ),
        ("0", "Nothing", "An adjustment of 0 credits changes nothing."),
        ("abc", "Typo", "Enter a number."),
    ],
)
def test_an_adjustment_the_ledger_refuses_is_a_form_error_and_writes_nothing(
    client, staff, brand, amount, reason, error
):
    funded(brand, granted=100)
    client.force_login(staff)
    before = balance(brand)

    response = adjust(
        client, brand, amount=amount, reason=reason, key="5b0c8a46-7c55-4f5e-9d1e-1c2b3a4d5e6f"
    )

    assert response.status_code == 400
    assert error in response.text
    assert adjustments(brand) == []
    assert balance(brand) == before
    assert rows(AuditEvent, brand, action="credits.adjusted") == []
