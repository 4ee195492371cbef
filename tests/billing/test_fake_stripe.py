import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import stripe

from .fake_stripe import API_VERSION, PERIOD, FakeStripe, sign_payload, webhook_body

NOW = 1_800_000_000
SECRET = "whsec_test_fake"


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe() as server:
        server.add_price("price_monthly", unit_amount=2900, recurring_interval="month")
        server.add_price("price_yearly", unit_amount=29000, recurring_interval="year")
        server.add_price("price_credits", unit_amount=500, currency="eur", product="prod_credits")
        yield server


@pytest.fixture
def client(fake: FakeStripe) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_x", base_addresses={"api": fake.url}, max_network_retries=0)


def fields(obj: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: obj[name] for name in names}


def stored(fake: FakeStripe, kind: str) -> list[dict[str, Any]]:
    return [obj for obj in fake.objects.values() if obj["object"] == kind]


def raw(fake: FakeStripe, path: str, *, key: str | None = "sk_test_x") -> tuple[int, dict, dict]:
    """A request without the SDK: the bytes on the wire are what is under test."""
    request = urllib.request.Request(fake.url + path)  # noqa: S310 - loopback URL
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback URL
            return response.status, json.load(response), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error), dict(error.headers)


def checkout(client: stripe.StripeClient, mode: str, price: str, **params: Any):
    return client.v1.checkout.sessions.create(
        params={
            "mode": mode,
            "line_items": [{"price": price, "quantity": 2}],
            "success_url": "https://app.test/billing/done",
            "cancel_url": "https://app.test/billing",
            **params,
        }
    )


def subscribe(fake: FakeStripe, client: stripe.StripeClient) -> str:
    session = checkout(client, "subscription", "price_monthly", customer_email="owner@lotus.test")
    return fake.complete_checkout(session.id, now=NOW)[0]["data"]["object"]["id"]


def test_the_fake_renders_the_api_version_the_sdk_pins():
    assert stripe.api_version == API_VERSION == "2026-10-28.endive"


def test_customer_create_and_retrieve(fake, client):
    params = {"email": "owner@lotus.test", "name": "Lotus Tea", "metadata": {"tenant_id": "7"}}

    created = client.v1.customers.create(params=params, options={"idempotency_key": "cus-7"})
    fetched = client.v1.customers.retrieve(created.id)

    assert created.id.startswith("cus_")
    assert fetched.to_dict() == created.to_dict()
    assert fields(fetched.to_dict(), "object", "livemode", *params) == {
        "object": "customer",
        "livemode": False,
        **params,
    }
    assert fetched.last_response.request_id.startswith("req_")
    post, get = fake.requests
    assert (post.method, post.path, post.params) == ("POST", "/v1/customers", params)
    assert fields(post.headers, "Authorization", "Stripe-Version", "Idempotency-Key") == {
        "Authorization": "Bearer sk_test_x",
        "Stripe-Version": API_VERSION,
        "Idempotency-Key": "cus-7",
    }
    assert (get.method, get.path, get.params) == ("GET", f"/v1/customers/{created.id}", {})


def test_checkout_subscription_mode_session(fake, client):
    customer = fake.add_customer(email="owner@lotus.test", metadata={"tenant_id": "7"})

    session = checkout(client, "subscription", "price_monthly", customer=customer["id"])
    fetched = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["line_items"]})

    assert session.id.startswith("cs_test_")
    assert session.url == f"{fake.url}/pay/{session.id}"
    assert fields(session, "object", "mode", "status", "payment_status", "customer") == {
        "object": "checkout.session",
        "mode": "subscription",
        "status": "open",
        "payment_status": "unpaid",
        "customer": customer["id"],
    }
    assert fields(session, "subscription", "payment_intent", "amount_total", "currency") == {
        "subscription": None,
        "payment_intent": None,
        "amount_total": 5800,
        "currency": "usd",
    }
    assert "line_items" not in session  # includable: there only when expanded
    assert fake.requests[-1].params == {"expand": ["line_items"]}  # sent as expand[0]=line_items
    [line] = fetched.line_items.data
    assert (line.price.id, line.price.type, line.quantity) == ("price_monthly", "recurring", 2)


def test_checkout_payment_mode_session(client):
    session = checkout(client, "payment", "price_credits", client_reference_id="7")

    assert fields(session, "mode", "status", "payment_status", "client_reference_id") == {
        "mode": "payment",
        "status": "open",
        "payment_status": "unpaid",
        "client_reference_id": "7",
    }
    assert fields(session, "amount_total", "currency", "subscription", "payment_intent") == {
        "amount_total": 1000,
        "currency": "eur",
        "subscription": None,
        "payment_intent": None,
    }


@pytest.mark.parametrize(
    ("mode", "price", "message"),
    [
        ("payment", "price_monthly", "You specified `payment` mode but passed a recurring price."),
        ("subscription", "price_credits", "You must provide at least one recurring price in "),
    ],
)
def test_checkout_refuses_a_price_of_the_wrong_kind(fake, client, mode, price, message):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        checkout(client, mode, price)

    assert refused.value.http_status == 400
    assert refused.value.user_message.startswith(message)
    assert stored(fake, "checkout.session") == []


def test_checkout_with_an_unknown_price_names_the_parameter(fake, client):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        checkout(client, "subscription", "price_gone")

    error = refused.value
    assert (error.http_status, error.code, error.param) == (
        400,
        "resource_missing",
        "line_items[0][price]",
    )
    assert error.user_message == "No such price: 'price_gone'"
    assert error.request_id.startswith("req_")
    assert stored(fake, "checkout.session") == []


def test_unknown_parameters_are_refused_as_this_api_version_does(client):
    # payment_method_types left Checkout Sessions in 2026-10-28.endive.
    with pytest.raises(stripe.InvalidRequestError) as refused:
        checkout(client, "payment", "price_credits", payment_method_types=["card"])

    assert (refused.value.code, refused.value.param) == (
        "parameter_unknown",
        "payment_method_types",
    )


def test_idempotent_replay_returns_the_first_response(fake, client):
    options = {"idempotency_key": "checkout-7"}
    params = {"mode": "payment", "line_items": [{"price": "price_credits", "quantity": 1}]}

    first = client.v1.checkout.sessions.create(params=params, options=options)
    again = client.v1.checkout.sessions.create(params=params, options=options)

    assert again.to_dict() == first.to_dict()
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert again.last_response.request_id != first.last_response.request_id
    assert len(stored(fake, "checkout.session")) == 1


def test_an_idempotency_key_reused_with_other_params_or_elsewhere_is_refused(fake, client):
    options = {"idempotency_key": "checkout-7"}
    params = {"mode": "payment", "line_items": [{"price": "price_credits", "quantity": 1}]}
    client.v1.checkout.sessions.create(params=params, options=options)

    with pytest.raises(stripe.IdempotencyError) as other_params:
        client.v1.checkout.sessions.create(params={**params, "locale": "ja"}, options=options)
    with pytest.raises(stripe.IdempotencyError) as other_endpoint:
        client.v1.customers.create(params={"email": "owner@lotus.test"}, options=options)

    assert "with the same parameters" in other_params.value.user_message
    assert "for the same endpoint" in other_endpoint.value.user_message
    assert other_params.value.http_status == other_endpoint.value.http_status == 400
    assert (len(stored(fake, "checkout.session")), stored(fake, "customer")) == (1, [])


def test_a_request_refused_by_validation_is_not_stored_under_its_key(fake, client):
    options = {"idempotency_key": "checkout-7"}
    params = {"mode": "payment", "line_items": [{"price": "price_later", "quantity": 1}]}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(params=params, options=options)
    fake.add_price("price_later", unit_amount=100)

    session = client.v1.checkout.sessions.create(params=params, options=options)

    assert session.amount_total == 100
    assert "Idempotent-Replayed" not in session.last_response.headers


def test_portal_session(fake, client):
    customer = client.v1.customers.create(params={"email": "owner@lotus.test"})

    portal = client.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "return_url": "https://app.test/billing"}
    )

    assert portal.id.startswith("bps_")
    assert fields(portal, "object", "customer", "return_url", "url") == {
        "object": "billing_portal.session",
        "customer": customer.id,
        "return_url": "https://app.test/billing",
        "url": f"{fake.url}/portal/{portal.id}",
    }


def test_portal_session_for_an_unknown_customer_is_refused(fake, client):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.billing_portal.sessions.create(params={"customer": "cus_gone"})

    error = refused.value
    assert (error.http_status, error.code, error.param) == (400, "resource_missing", "customer")
    assert stored(fake, "billing_portal.session") == []


def test_completing_a_subscription_checkout(fake, client):
    customer = client.v1.customers.create(params={"email": "owner@lotus.test"})
    session = checkout(
        client,
        "subscription",
        "price_monthly",
        customer=customer.id,
        subscription_data={"metadata": {"tenant_id": "7"}},
    )

    events = fake.complete_checkout(session.id, now=NOW)

    assert [event["type"] for event in events] == [
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
    ]
    subscription = client.v1.subscriptions.retrieve(events[0]["data"]["object"]["id"])
    invoice = client.v1.invoices.retrieve(events[1]["data"]["object"]["id"])
    completed = client.v1.checkout.sessions.retrieve(session.id)
    assert fields(subscription, "status", "customer", "latest_invoice") == {
        "status": "active",
        "customer": customer.id,
        "latest_invoice": invoice.id,
    }
    assert subscription.metadata.to_dict() == {"tenant_id": "7"}
    # Since 2025-03-31.basil the billing period lives on the items, not on the subscription.
    assert "current_period_end" not in subscription
    [item] = subscription["items"].data
    assert fields(item, "object", "quantity", "current_period_start", "current_period_end") == {
        "object": "subscription_item",
        "quantity": 2,
        "current_period_start": NOW,
        "current_period_end": NOW + PERIOD,
    }
    assert item.price.id == "price_monthly"
    assert fields(invoice, "status", "billing_reason", "amount_paid", "customer") == {
        "status": "paid",
        "billing_reason": "subscription_create",
        "amount_paid": 5800,
        "customer": customer.id,
    }
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert "subscription" not in invoice and "payment_intent" not in invoice  # gone since basil
    [line] = invoice.lines.data
    assert (line.period.start, line.period.end, line.amount) == (NOW, NOW + PERIOD, 5800)
    assert line.pricing.price_details.price == "price_monthly"
    assert fields(completed, "status", "payment_status", "subscription", "invoice") == {
        "status": "complete",
        "payment_status": "paid",
        "subscription": subscription.id,
        "invoice": invoice.id,
    }
    assert completed.payment_intent is None
    assert events[2]["data"]["object"] == completed.to_dict()


def test_completing_a_payment_checkout(fake, client):
    metadata = {"tenant_id": "7"}
    session = checkout(
        client, "payment", "price_credits", payment_intent_data={"metadata": metadata}
    )

    events = fake.complete_checkout(session.id, now=NOW)

    assert [event["type"] for event in events] == ["charge.succeeded", "checkout.session.completed"]
    charge = client.v1.charges.retrieve(events[0]["data"]["object"]["id"])
    completed = client.v1.checkout.sessions.retrieve(session.id)
    intent = client.v1.payment_intents.retrieve(completed.payment_intent)
    assert fields(charge, "status", "paid", "amount", "amount_refunded", "refunded") == {
        "status": "succeeded",
        "paid": True,
        "amount": 1000,
        "amount_refunded": 0,
        "refunded": False,
    }
    assert (charge.payment_intent, charge.currency, charge.created) == (intent.id, "eur", NOW)
    assert "invoice" not in charge  # gone since 2025-03-31.basil
    assert fields(intent, "status", "amount_received", "latest_charge") == {
        "status": "succeeded",
        "amount_received": 1000,
        "latest_charge": charge.id,
    }
    assert intent.metadata.to_dict() == metadata
    assert fields(completed, "status", "payment_status", "subscription") == {
        "status": "complete",
        "payment_status": "paid",
        "subscription": None,
    }


def test_expanding_references_returns_the_objects(fake, client):
    session = checkout(client, "subscription", "price_monthly")
    fake.complete_checkout(session.id, now=NOW)

    expanded = client.v1.checkout.sessions.retrieve(
        session.id,
        params={"expand": ["subscription", "invoice.parent.subscription_details.subscription"]},
    )
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["mode"]})

    assert expanded.subscription.object == "subscription"
    assert expanded.invoice.parent.subscription_details.subscription.id == expanded.subscription.id
    assert refused.value.user_message == "This property cannot be expanded (mode)."


def test_a_paid_renewal_bills_the_next_period(fake, client):
    subscription_id = subscribe(fake, client)

    paid, updated = fake.renew_subscription(subscription_id)

    assert (paid["type"], updated["type"]) == ("invoice.paid", "customer.subscription.updated")
    invoice = client.v1.invoices.retrieve(paid["data"]["object"]["id"])
    assert fields(invoice, "status", "billing_reason", "amount_paid", "period_end") == {
        "status": "paid",
        "billing_reason": "subscription_cycle",
        "amount_paid": 5800,
        "period_end": NOW + PERIOD,  # an invoice's own period looks back, as Stripe's do
    }
    [line] = invoice.lines.data
    assert (line.period.start, line.period.end) == (NOW + PERIOD, NOW + 2 * PERIOD)
    subscription = client.v1.subscriptions.retrieve(subscription_id)
    assert subscription["items"].data[0].current_period_end == NOW + 2 * PERIOD
    assert (subscription.status, subscription.latest_invoice) == ("active", invoice.id)
    previous = updated["data"]["previous_attributes"]
    assert previous["items"]["data"][0]["current_period_end"] == NOW + PERIOD
    assert "status" not in previous


def test_an_unpaid_renewal_leaves_the_subscription_past_due(fake, client):
    subscription_id = subscribe(fake, client)

    failed, updated = fake.renew_subscription(subscription_id, paid=False)

    assert [failed["type"], updated["type"]] == [
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]
    invoice = client.v1.invoices.retrieve(failed["data"]["object"]["id"])
    assert fields(invoice, "status", "attempted", "amount_paid", "amount_remaining") == {
        "status": "open",
        "attempted": True,
        "amount_paid": 0,
        "amount_remaining": 5800,
    }
    assert client.v1.subscriptions.retrieve(subscription_id).status == "past_due"
    assert updated["data"]["object"]["status"] == "past_due"
    assert updated["data"]["previous_attributes"]["status"] == "active"


def test_changing_the_price_of_a_subscription(fake, client):
    subscription_id = subscribe(fake, client)

    [updated] = fake.change_subscription_price(subscription_id, "price_yearly")

    assert updated["type"] == "customer.subscription.updated"
    new_item = updated["data"]["object"]["items"]["data"][0]
    old_item = updated["data"]["previous_attributes"]["items"]["data"][0]
    assert (new_item["price"]["id"], old_item["price"]["id"]) == ("price_yearly", "price_monthly")
    subscription = client.v1.subscriptions.retrieve(subscription_id)
    assert subscription["items"].data[0].price.id == "price_yearly"


def test_cancelling_a_subscription(fake, client):
    subscription_id = subscribe(fake, client)

    [deleted] = fake.cancel_subscription(subscription_id, now=NOW + 60)

    assert deleted["type"] == "customer.subscription.deleted"
    subscription = client.v1.subscriptions.retrieve(subscription_id)
    assert fields(subscription, "status", "ended_at", "canceled_at") == {
        "status": "canceled",
        "ended_at": NOW + 60,
        "canceled_at": NOW + 60,
    }


def test_refunds_add_up(fake, client):
    session = checkout(client, "payment", "price_credits")
    charge_id = fake.complete_checkout(session.id)[0]["data"]["object"]["id"]

    [partial] = fake.refund_charge(charge_id, amount=300)
    [rest] = fake.refund_charge(charge_id)

    assert partial["type"] == rest["type"] == "charge.refunded"
    assert fields(partial["data"]["object"], "amount_refunded", "refunded") == {
        "amount_refunded": 300,
        "refunded": False,
    }
    charge = client.v1.charges.retrieve(charge_id)
    assert fields(charge, "amount", "amount_refunded", "refunded") == {
        "amount": 1000,
        "amount_refunded": 1000,
        "refunded": True,
    }
    with pytest.raises(ValueError, match="0 is refundable"):
        fake.refund_charge(charge_id, amount=1)


@pytest.mark.parametrize(
    ("service", "object_id"),
    [
        ("subscriptions", "sub_gone"),
        ("invoices", "in_gone"),
        ("charges", "ch_gone"),
        ("prices", "price_gone"),
        ("payment_intents", "pi_gone"),
        ("customers", "cus_gone"),
        ("events", "evt_gone"),
    ],
)
def test_retrieving_an_unknown_object_is_a_404(client, service, object_id):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        getattr(client.v1, service).retrieve(object_id)

    error = missing.value
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
    assert error.user_message.endswith(f": '{object_id}'")


def test_an_unknown_endpoint_is_a_404_with_stripes_envelope(fake):
    status, body, headers = raw(fake, "/v1/refunds?limit=3")

    assert status == 404
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["message"].startswith("Unrecognized request URL (GET: /v1/refunds).")
    assert headers["Request-Id"].startswith("req_")


def test_the_wire_accepts_expand_with_empty_brackets(fake, client):
    session = checkout(client, "payment", "price_credits")

    status, body, headers = raw(fake, f"/v1/checkout/sessions/{session.id}?expand[]=line_items")

    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert headers["Stripe-Version"] == API_VERSION
    assert body["line_items"]["data"][0]["price"]["id"] == "price_credits"


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "You did not provide an API key."), ("sk_live_x", "Invalid API Key provided: ")],
)
def test_a_missing_or_live_key_is_refused(fake, key, message):
    status, body, headers = raw(fake, "/v1/prices/price_monthly", key=key)

    assert status == 401
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["message"].startswith(message)
    assert headers["Request-Id"].startswith("req_")


def test_the_sdk_raises_an_authentication_error_for_another_key():
    with FakeStripe(api_key="sk_test_ours") as strict:
        url = strict.url
        theirs = stripe.StripeClient(
            "sk_test_theirs", base_addresses={"api": url}, max_network_retries=0
        )

        with pytest.raises(stripe.AuthenticationError) as refused:
            theirs.v1.customers.create(params={"email": "owner@lotus.test"})

    assert refused.value.http_status == 401
    assert refused.value.user_message.startswith("Invalid API Key provided: sk_test_")
    assert strict.objects == {}


def test_another_api_version_is_refused_rather_than_answered_in_the_wrong_shape(fake):
    older = stripe.StripeClient(
        "sk_test_x",
        base_addresses={"api": fake.url},
        stripe_version="2025-03-31.basil",
        max_network_retries=0,
    )

    with pytest.raises(stripe.InvalidRequestError, match=r"2026-10-28\.endive"):
        older.v1.prices.retrieve("price_monthly")


def test_unreachable_stripe_raises_a_connection_error_after_the_sdk_retries(fake):
    url = fake.url
    retrying = stripe.StripeClient("sk_test_x", base_addresses={"api": url}, max_network_retries=1)
    fake.set_unreachable(True)

    with pytest.raises(stripe.APIConnectionError):
        retrying.v1.customers.create(params={"email": "owner@lotus.test"})

    first, retry = (request.headers["Idempotency-Key"] for request in fake.requests)
    assert first == retry  # the SDK's retry reuses its key, so Stripe would not act twice
    assert stored(fake, "customer") == []
    fake.set_unreachable(False)
    assert retrying.v1.customers.create(params={"email": "owner@lotus.test"}).id.startswith("cus_")


def test_a_signed_webhook_is_accepted_by_the_sdk(fake, client):
    event = fake.event("invoice.paid", {"id": "in_1", "object": "invoice"}, created=NOW)
    body = webhook_body(event)
    header = sign_payload(body, secret=SECRET)

    received = stripe.Webhook.construct_event(body, header, SECRET)

    assert (received.id, received.type, received.api_version) == (
        event["id"],
        "invoice.paid",
        API_VERSION,
    )
    assert received.data.object.id == "in_1"
    assert fields(event, "object", "livemode", "created", "pending_webhooks", "request") == {
        "object": "event",
        "livemode": False,
        "created": NOW,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
    }
    assert "previous_attributes" not in event["data"]  # only *.updated events carry it
    assert client.v1.events.retrieve(event["id"]).to_dict() == event
    signed_at = int(header.split(",")[0].removeprefix("t="))
    assert header == stripe.WebhookSignature.generate_signature_header(
        body.decode(), SECRET, signed_at
    )


@pytest.mark.parametrize(
    ("secret", "age"), [("whsec_other", 0), (SECRET, 301)], ids=["forged", "stale"]
)
def test_a_forged_or_stale_signature_is_rejected_by_the_sdk(fake, secret, age):
    body = webhook_body(fake.event("charge.refunded", {"id": "ch_1", "object": "charge"}))
    header = sign_payload(body, secret=secret, timestamp=int(time.time()) - age)

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, SECRET)
