import re
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from billing import ledger, selectors, stripe_sync
from billing.models import CheckoutSession, CreditPack, LedgerEntry, Plan, StripeEvent
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.billing.factories import balance, funded, on_plan
from tests.billing.fake_stripe import FakeStripe, sign_payload, webhook_body
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = Decimal
PASSWORD = "s3cret-pass"
# Credits charged per day, by how many days ago: 409.50 of Pro's 500 (82%, past the 80% notice).
USAGE = {13: 38, 12: 52, 10: 61, 9: 24, 8: 45, 6: 53, 5: 30, 4: 18, 3: 46, 2: 9, 1: 21, 0: "12.50"}


@contextmanager
def ledger_clock(at):
    """Date the ledger entries written inside at `at`.

    The ledger stamps every entry with the current time, and a usage chart needs several days of
    history; this changes only that stamp, the services run as they always do.
    """
    field = LedgerEntry._meta.get_field("created_at")
    with mock.patch.object(field, "_get_default", lambda: at):
        yield


def usage_history(brand) -> None:
    """A Pro brand's last two weeks: its allowance, a pack, a job a day, one job still running."""
    now = timezone.now()
    with ledger_clock(now - timedelta(days=14)), tenant_scope(brand.pk):
        selectors.credit_balance(tenant=brand)  # opens the account with this month's allowance
    for days_ago, amount in USAGE.items():  # oldest first: entries are written in date order
        if days_ago == 6:
            with ledger_clock(now - timedelta(days=7)), tenant_scope(brand.pk):
                ledger.credit_purchase(
                    tenant=brand,
                    amount=D(200),
                    idempotency_key="purchase:cs_test_earlier",
                    reference="pi_3QxEarlierPack",
                    reason="200 credits",
                )
        reference = f"job:{100 + days_ago}"
        with ledger_clock(now - timedelta(days=days_ago)), tenant_scope(brand.pk):
            ledger.credit_reserve(
                tenant=brand, reference=reference, amount=D(amount) + 5, idempotency_key=reference
            )
            ledger.credit_capture(
                tenant=brand,
                reference=reference,
                amount=D(amount),
                idempotency_key=f"{reference}:c",
            )
            ledger.credit_release(tenant=brand, reference=reference)
    with tenant_scope(brand.pk):
        ledger.credit_reserve(
            tenant=brand, reference="job:120", amount=D(24), idempotency_key="job:120"
        )


def log_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(url)


def deliver(live_server, event: dict) -> None:
    """POST an event to the webhook as Stripe would, then run what its task runs."""
    body = webhook_body(event)
    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{live_server.url}/billing/stripe/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign_payload(body, secret=settings.STRIPE_WEBHOOK_SECRET),
        },
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310 - the live test server
        assert response.status == 200
    stripe_sync.event_process(event_id=StripeEvent.objects.get(event_id=event["id"]).pk)


@pytest.fixture
def fake():
    with FakeStripe(api_key=settings.STRIPE_SECRET_KEY) as server:
        server.add_price("price_team", unit_amount=9999, recurring_interval="month")
        server.add_price("price_pack200", unit_amount=1499)
        server.add_price("price_pack1000", unit_amount=5999)
        Plan.objects.filter(code="team").update(stripe_price_id="price_team")
        CreditPack.objects.filter(code="pack-200").update(stripe_price_id="price_pack200")
        CreditPack.objects.filter(code="pack-1000").update(stripe_price_id="price_pack1000")
        with override_settings(STRIPE_API_BASE=server.url):
            yield server


def test_an_owner_reads_the_credits_and_buys_a_pack(live_server, page, browser, artifacts, fake):
    owner = get_user_model().objects.create_user("mei@lotus.test", "mei@lotus.test", PASSWORD)
    brand = TenantFactory(name="Lotus Tea 莲花茶")
    member(brand, Role.OWNER, owner)
    on_plan(brand, "pro")
    usage_history(brand)

    log_in(page, f"{live_server.url}/billing/", "mei@lotus.test")

    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()
    expect(page.locator("#credits-available")).to_have_text("266.50")  # 66.50 plan + 200 bought
    expect(page.locator("#credits-granted")).to_have_text("66.50")
    expect(page.locator("#credits-purchased")).to_have_text("200")
    expect(page.locator("#credits-reserved")).to_have_text("24")
    expect(page.locator("#usage-total")).to_have_text("409.50")
    expect(page.locator(".usage-chart rect")).to_have_count(len(USAGE))
    expect(page.get_by_role("alert")).to_contain_text("82% of this period's plan credits are used.")
    expect(page.locator(".ledger-table tbody tr")).to_have_count(25)
    page.screenshot(path=str(artifacts / "billing-page.png"), full_page=True)

    mobile = browser.new_context(viewport={"width": 390, "height": 844})
    mobile.add_cookies(page.context.cookies())
    phone = mobile.new_page()
    phone.goto(f"{live_server.url}/billing/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "billing-page-mobile.png"), full_page=True)
    mobile.close()

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="账单", exact=True)).to_be_visible()
    expect(page.locator(".usage-card h2")).to_have_text("点数用量（最近 30 天）")
    page.screenshot(path=str(artifacts / "billing-page-zh.png"), full_page=True)
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()

    page.locator("#packs article", has_text="200 credits").get_by_role("button", name="Buy").click()
    page.wait_for_url(re.compile(rf"{re.escape(fake.url)}/pay/cs_test_\w+"))
    [session] = rows(CheckoutSession, brand)
    for event in fake.complete_checkout(session.session_id):  # the customer pays on Stripe
        deliver(live_server, event)
    page.goto(f"{live_server.url}/billing/?checkout=success")  # Stripe's redirect back

    expect(page.get_by_role("status")).to_contain_text("Payment received")
    expect(page.locator("#credits-purchased")).to_have_text("400")
    expect(page.locator(".ledger-table tbody tr").first).to_contain_text("Purchase")
    assert balance(brand)["purchased"] == D(400)
    page.screenshot(path=str(artifacts / "billing-page-paid.png"), full_page=True)


def test_staff_find_a_brand_and_adjust_its_credits_once(live_server, page, artifacts):
    staff = get_user_model().objects.create_user(
        "ops@brandloom.test", "ops@brandloom.test", PASSWORD, is_staff=True
    )
    lotus = TenantFactory(name="Lotus Tea 莲花茶", slug="lotus-tea")
    funded(lotus, granted=500, purchased=120)
    pine = TenantFactory(name="Pine & Ink 松墨", slug="pine-ink")
    on_plan(
        pine,
        "pro",
        status="past_due",
        stripe_subscription_id="sub_1QPineInk",
        grace_until=timezone.now() + timedelta(days=4),
    )
    funded(pine, granted=500)
    TenantFactory(name="Harbor Coffee", slug="harbor-coffee")
    StripeEvent.objects.create(
        event_id="evt_1QUnknownCustomer7",
        type="invoice.paid",
        payload={},
        stripe_created=timezone.now(),
        status=StripeEvent.Status.FLAGGED,
        note="No brand has the Stripe customer 'cus_QzUnknown'.",
    )

    log_in(page, f"{live_server.url}/staff/billing/", "ops@brandloom.test")

    expect(page.locator(".staff-brands tbody tr")).to_have_count(3)
    expect(page.locator(".flagged-events")).to_contain_text("evt_1QUnknownCustomer7")
    page.screenshot(path=str(artifacts / "staff-billing.png"), full_page=True)

    page.get_by_role("link", name="Lotus Tea 莲花茶").click()
    page.fill("input[name=amount]", "50")
    page.fill("input[name=reason]", "Goodwill: renders lost in the 21 Nov outage")
    page.get_by_role("button", name="Apply adjustment").dblclick()
    # However many of the two clicks reached the server, the one form key adjusted once.
    expect(page.locator(".messages")).to_contain_text(
        re.compile("Credits adjusted by 50.00|already applied once")
    )
    expect(page.locator("#staff-available")).to_have_text("670")
    [adjustment] = rows(LedgerEntry, lotus, kind=LedgerEntry.Kind.ADJUSTMENT)
    assert (adjustment.purchased_delta, adjustment.actor) == (D(50), staff)
    page.screenshot(path=str(artifacts / "staff-billing-brand.png"), full_page=True)
