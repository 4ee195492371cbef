"""Checkout, webhooks and their effects, with the real SDK against a local Stripe stand-in."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from billing import plans, stripe_sync
from billing.models import (
    CheckoutSession,
    CreditPurchase,
    LedgerEntry,
    Plan,
    StripeCustomer,
    StripeEvent,
    Subscription,
)
from tenants.context import tenant_scope
from tests.billing.factories import anomalies, balance
from tests.billing.fake_stripe import FakeStripe, sign_payload, webhook_body
from tests.tenants.factories import TenantFactory, UserFactory, member, rows

pytestmark = pytest.mark.django_db

D = Decimal
SECRET = "whsec_test_brandloom"
WEBHOOK = "/billing/stripe/webhook"


@pytest.fixture
def fake():
    with FakeStripe(api_key="sk_test_brandloom") as server:
        server.add_price("price_pro", unit_amount=2999, recurring_interval="month")
        server.add_price("price_team", unit_amount=9999, recurring_interval="month")
        server.add_price("price_pack200", unit_amount=1499)
        Plan.objects.filter(code="pro").update(stripe_price_id="price_pro")
        Plan.objects.filter(code="team").update(stripe_price_id="price_team")
        from billing.models import CreditPack

        CreditPack.objects.filter(code="pack-200").update(stripe_price_id="price_pack200")
        with override_settings(STRIPE_API_BASE=server.url):
            yield server


@pytest.fixture
def brand():
    tenant = TenantFactory()
    owner = UserFactory()
    member(tenant, user=owner)
    return tenant, owner


def checkout(tenant, owner, **what) -> str:
    with tenant_scope(tenant.pk):
        return stripe_sync.checkout_start(
            tenant=tenant,
            user=owner,
            success_url="https://app.test/billing/?checkout=success",
            cancel_url="https://app.test/billing/?checkout=cancelled",
            **what,
        )


def session_id(tenant) -> str:
    return rows(CheckoutSession, tenant)[-1].session_id


def deliver(client, event: dict, *, secret: str = SECRET, timestamp: int | None = None):
    body = webhook_body(event)
    return client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(body, secret=secret, timestamp=timestamp),
    )


def deliver_and_process(client, events: list[dict]) -> list[StripeEvent]:
    """Post each event as Stripe would, then run the processing task's service for it."""
    processed = []
    for event in events:
        response = deliver(client, event)
        assert response.status_code == 200, response.content
        stored = StripeEvent.objects.get(event_id=event["id"])
        processed.append(stripe_sync.event_process(event_id=stored.pk))
    return processed


def subscription(tenant) -> Subscription:
    with tenant_scope(tenant.pk):
        return Subscription.objects.select_related("plan").get(tenant=tenant)


def grants(tenant) -> list[tuple[str, Decimal]]:
    return [(e.idempotency_key, e.granted_delta) for e in rows(LedgerEntry, tenant, kind="grant")]


def test_subscribing_to_pro_through_checkout_grants_its_credits_once(client, fake, brand):
    tenant, owner = brand

    url = checkout(tenant, owner, plan_code="pro")
    events = fake.complete_checkout(session_id(tenant))
    processed = deliver_and_process(client, events)
    replayed = [deliver(client, event).json() for event in events]

    assert url.startswith(f"{fake.url}/pay/cs_test_")
    assert [e.status for e in processed] == ["processed"] * 3
    assert {e.matched_tenant_id for e in processed} == {tenant.pk}
    assert replayed == [{"received": True, "duplicate": True}] * 3
    assert StripeEvent.objects.count() == 3
    row = subscription(tenant)
    assert (row.plan.code, row.status, row.grace_until) == ("pro", "active", None)
    invoice_id = events[1]["data"]["object"]["id"]
    assert grants(tenant)[-1] == (f"grant:invoice:{invoice_id}", D(500))
    assert balance(tenant)["granted"] == D(500)
    assert rows(CheckoutSession, tenant)[0].completed_at is not None
    with tenant_scope(tenant.pk):
        assert plans.plan_for(tenant=tenant).code == "pro"
    assert anomalies(tenant) == []


def test_events_arriving_out_of_order_reach_the_same_state(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, plan_code="pro")
    created, paid, completed = fake.complete_checkout(session_id(tenant))

    deliver_and_process(client, [completed, paid, created])

    row = subscription(tenant)
    assert (row.plan.code, row.status) == ("pro", "active")
    assert [amount for _key, amount in grants(tenant)][-1] == D(500)
    assert balance(tenant)["granted"] == D(500)


def test_a_renewal_grants_the_new_period_and_expires_the_rest_of_the_old(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, plan_code="pro")
    deliver_and_process(client, fake.complete_checkout(session_id(tenant)))
    subscription_id = subscription(tenant).stripe_subscription_id

    deliver_and_process(client, fake.renew_subscription(subscription_id))

    assert [amount for _key, amount in grants(tenant)][-2:] == [D(500), D(500)]
    assert balance(tenant)["granted"] == D(500)
    expired = rows(LedgerEntry, tenant, kind="expire")[-1]
    assert expired.granted_delta == D(-500)
    assert anomalies(tenant) == []


def test_a_failed_renewal_keeps_the_plan_through_the_grace_period_then_free(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, plan_code="team")
    deliver_and_process(client, fake.complete_checkout(session_id(tenant)))
    subscription_id = subscription(tenant).stripe_subscription_id

    deliver_and_process(client, fake.renew_subscription(subscription_id, paid=False))
    row = subscription(tenant)
    with tenant_scope(tenant.pk):
        during = plans.plan_for(tenant=tenant).code
    after_grace = row.grace_until + timedelta(seconds=1)
    plans.periods_roll_all(now=after_grace)
    with tenant_scope(tenant.pk):
        after = plans.plan_for(tenant=tenant, now=after_grace).code

    assert row.status == "past_due"
    assert timedelta(days=6, hours=23) < row.grace_until - timezone.now() <= timedelta(days=7)
    assert (during, after) == ("team", "free")
    assert subscription(tenant).status == "canceled"


def test_a_cancelled_subscription_puts_the_brand_on_free_and_keeps_its_data(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, plan_code="pro")
    deliver_and_process(client, fake.complete_checkout(session_id(tenant)))

    deliver_and_process(
        client, fake.cancel_subscription(subscription(tenant).stripe_subscription_id)
    )

    assert subscription(tenant).status == "canceled"
    with tenant_scope(tenant.pk):
        assert plans.plan_for(tenant=tenant).code == "free"
    assert [amount for _key, amount in grants(tenant)] == [D(500)]  # the history stays
    assert balance(tenant)["granted"] == D(500)  # paid for until the period ends


def test_a_credit_pack_adds_purchased_credits_once(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, pack_code="pack-200")
    events = fake.complete_checkout(session_id(tenant))

    deliver_and_process(client, events)
    deliver_and_process(client, [fake.event(events[-1]["type"], events[-1]["data"]["object"])])

    assert balance(tenant)["purchased"] == D(200)
    assert len(rows(LedgerEntry, tenant, kind="purchase")) == 1
    [purchase] = rows(CreditPurchase, tenant)
    assert purchase.payment_intent_id.startswith("pi_")


def test_a_refunded_pack_claws_back_only_the_unspent_refunded_share(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, pack_code="pack-200")
    events = fake.complete_checkout(session_id(tenant))
    deliver_and_process(client, events)
    charge_id = events[0]["data"]["object"]["id"]

    half = fake.refund_charge(charge_id, amount=750)
    deliver_and_process(client, half + half)  # a replayed refund event claws back once
    with tenant_scope(tenant.pk):  # the brand spends what is left, and then some
        from billing import ledger

        left = balance(tenant)["available"]
        ledger.credit_adjust(
            tenant=tenant, actor=owner, amount=-left, reason="spent", idempotency_key="s"
        )
    deliver_and_process(client, fake.refund_charge(charge_id))

    clawbacks = [e.purchased_delta for e in rows(LedgerEntry, tenant, kind="adjustment")]
    assert clawbacks[0] == D("-100.07")  # 750 of 1499 cents refunded: that share of 200
    assert clawbacks[-1] == D(0)  # the rest was spent: nothing left to take
    assert rows(CreditPurchase, tenant)[0].refunded_credits == D(200)
    assert balance(tenant)["purchased"] == D(0)
    assert anomalies(tenant) == []


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda body, sig: (body, sig.replace("v1=", "v1=00")), id="forged"),
        pytest.param(lambda body, sig: (body, ""), id="missing"),
        pytest.param(
            lambda body, sig: (body, sign_payload(body, secret="whsec_someone_else")), id="wrong"
        ),
        pytest.param(
            lambda body, sig: (
                body,
                sign_payload(body, secret=SECRET, timestamp=int(time.time()) - 301),
            ),
            id="stale",
        ),
        pytest.param(lambda body, sig: (body + b" ", sig), id="tampered-body"),
    ],
)
def test_a_webhook_that_is_not_signed_by_stripe_is_a_400_and_stores_nothing(client, fake, mangle):
    event = fake.event("invoice.paid", {"id": "in_x", "object": "invoice"})
    body = webhook_body(event)
    body, signature = mangle(body, sign_payload(body, secret=SECRET))

    response = client.post(
        WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert response.status_code == 400
    assert "Stripe-Signature" in response.json()["error"]
    assert StripeEvent.objects.count() == 0


def test_a_signed_body_that_is_not_an_event_is_a_400(client):
    body = b"not json"

    response = client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(body, secret=SECRET),
    )

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_an_event_for_an_unknown_customer_is_stored_and_flagged_not_a_crash(client, fake):
    customer = fake.add_customer(name="Not ours")
    fake.add_price("price_other", unit_amount=100)
    fake.objects["cs_test_foreign"] = {
        "id": "cs_test_foreign", "object": "checkout.session", "customer": customer["id"],
        "payment_status": "paid", "mode": "payment", "subscription": None,
        "payment_intent": None, "livemode": False, "created": int(time.time()),
    }  # fmt: skip
    event = fake.event("checkout.session.completed", fake.objects["cs_test_foreign"])

    [processed] = deliver_and_process(client, [event])

    assert processed.status == StripeEvent.Status.FLAGGED
    assert customer["id"] in processed.note
    assert processed.matched_tenant is None


def test_a_subscription_to_a_price_no_plan_sells_is_flagged(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, plan_code="pro")
    events = fake.complete_checkout(session_id(tenant))
    Plan.objects.filter(code="pro").update(stripe_price_id="price_pro_renamed")

    processed = deliver_and_process(client, events[:1])

    assert processed[0].status == StripeEvent.Status.FLAGGED
    assert "price_pro" in processed[0].note
    assert rows(Subscription, tenant) == []


def test_an_event_type_we_do_not_handle_is_stored_and_ignored(client, fake):
    [processed] = deliver_and_process(client, [fake.event("customer.created", {"id": "cus_1"})])

    assert processed.status == StripeEvent.Status.IGNORED


def test_stripe_unreachable_at_checkout_says_so_and_writes_nothing(fake, brand):
    tenant, owner = brand
    fake.set_unreachable(True)

    with pytest.raises(stripe_sync.StripeUnavailable, match="nothing was charged"):
        checkout(tenant, owner, plan_code="pro")

    assert rows(CheckoutSession, tenant) == []
    assert rows(StripeCustomer, tenant) == []


def test_stripe_unreachable_while_processing_leaves_the_event_pending_for_a_retry(
    client, fake, brand
):
    tenant, owner = brand
    checkout(tenant, owner, pack_code="pack-200")
    [_charge, completed] = fake.complete_checkout(session_id(tenant))
    assert deliver(client, completed).status_code == 200
    stored = StripeEvent.objects.get(event_id=completed["id"])

    fake.set_unreachable(True)
    with pytest.raises(stripe_sync.StripeUnavailable):
        stripe_sync.event_process(event_id=stored.pk)
    stored.refresh_from_db()
    pending_balance = balance(tenant)["purchased"]
    fake.set_unreachable(False)
    retried = stripe_sync.event_process(event_id=stored.pk)

    assert (stored.status, pending_balance) == ("pending", D(0))
    assert retried.status == "processed"
    assert balance(tenant)["purchased"] == D(200)


def test_a_price_stripe_does_not_know_is_refused_clearly(fake, brand):
    tenant, owner = brand
    Plan.objects.filter(code="pro").update(stripe_price_id="price_deleted_in_stripe")

    with pytest.raises(stripe_sync.CheckoutRefused, match="nothing was charged"):
        checkout(tenant, owner, plan_code="pro")

    assert rows(CheckoutSession, tenant) == []


def test_a_plan_without_a_stripe_price_cannot_be_bought(fake, brand):
    tenant, owner = brand

    with pytest.raises(stripe_sync.CheckoutRefused, match="cannot be bought online"):
        checkout(tenant, owner, plan_code="free")


def test_a_subscribed_brand_changes_plan_in_the_portal_not_a_second_checkout(client, fake, brand):
    tenant, owner = brand
    checkout(tenant, owner, plan_code="pro")
    deliver_and_process(client, fake.complete_checkout(session_id(tenant)))

    with pytest.raises(stripe_sync.CheckoutRefused, match="Manage billing"):
        checkout(tenant, owner, plan_code="team")
    with tenant_scope(tenant.pk):
        portal = stripe_sync.portal_open(tenant=tenant, return_url="https://app.test/billing/")

    assert portal.startswith(f"{fake.url}/portal/bps_")
    customer = rows(StripeCustomer, tenant)[0].customer_id
    assert fake.requests[-1].params == {
        "customer": customer,
        "return_url": "https://app.test/billing/",
    }


def test_the_customer_is_created_once_per_brand(fake, brand):
    tenant, owner = brand

    checkout(tenant, owner, pack_code="pack-200")
    checkout(tenant, owner, pack_code="pack-200")

    creates = [r for r in fake.requests if r.path == "/v1/customers"]
    assert len(creates) == 1
    assert len(rows(StripeCustomer, tenant)) == 1
    assert len(rows(CheckoutSession, tenant)) == 2


def test_the_webhook_answers_before_processing(
    client, fake, brand, django_capture_on_commit_callbacks
):
    tenant, owner = brand
    checkout(tenant, owner, pack_code="pack-200")
    [_charge, completed] = fake.complete_checkout(session_id(tenant))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = deliver(client, completed)

    assert response.status_code == 200
    assert StripeEvent.objects.get(event_id=completed["id"]).status == "pending"
    assert balance(tenant)["purchased"] == D(0)
    assert len(callbacks) == 1  # the processing task, sent once the event is committed
    assert json.loads(response.content) == {"received": True, "duplicate": False}
