"""A local HTTP server that speaks Stripe's v1 wire format, so the real `stripe` SDK runs offline.

It models the slice of the API our billing uses, rendered as API version 2026-10-28.endive:
customers, Checkout and Customer Portal sessions, and the subscriptions, invoices, payment
intents and charges that paying creates. Tests play the customer and Stripe's scheduler from
Python (`complete_checkout`, `renew_subscription`, ...) and get back the events Stripe would send.

Where it knowingly differs from Stripe:
- A `Stripe-Version` other than the pinned one is refused (400): Stripe would render that
  version, which this fake cannot, and answering in the wrong shape would hide the bug.
- Unknown top-level parameters are refused as Stripe does, judged by the SDK's parameter types
  (generated from the OpenAPI spec of this version); nested parameters are not checked.
- A request that fails before it executes (validation, a missing object) is not stored under its
  idempotency key, as Stripe documents; every success is.
"""

import copy
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from stripe.params import CustomerCreateParams
from stripe.params.billing_portal import SessionCreateParams as PortalSessionCreateParams
from stripe.params.checkout import SessionCreateParams as CheckoutSessionCreateParams

API_VERSION = "2026-10-28.endive"
PERIOD = 30 * 24 * 3600
Obj = dict[str, Any]

# Each `object`: its id prefix, and the path segment of GET /v1/<segment>/<id> if it has one.
_KINDS = {
    "customer": ("cus_", "customers"),
    "checkout.session": ("cs_test_", "checkout/sessions"),
    "billing_portal.session": ("bps_", ""),
    "price": ("price_", "prices"),
    "subscription": ("sub_", "subscriptions"),
    "invoice": ("in_", "invoices"),
    "payment_intent": ("pi_", "payment_intents"),
    "charge": ("ch_", "charges"),
    "event": ("evt_", "events"),
}
_RETRIEVABLE = {segment: kind for kind, (_, segment) in _KINDS.items() if segment}
_RETRIEVE = re.compile(rf"/v1/({'|'.join(_RETRIEVABLE)})/([^/]+)")
# Fields Stripe sends that this fake leaves null until something fills them.
_NULLS = {
    "customer": ("address", "description", "phone", "currency", "default_source", "test_clock"),
    "checkout.session": ("customer_details", "subscription", "payment_intent", "invoice"),
    "billing_portal.session": ("flow", "locale", "on_behalf_of"),
    "subscription": ("cancel_at", "canceled_at", "ended_at", "trial_start", "trial_end"),
    "invoice": ("description", "due_date", "hosted_invoice_url", "next_payment_attempt"),
    "payment_intent": ("canceled_at", "description", "last_payment_error"),
    "charge": ("description", "failure_code", "failure_message"),
}
_KEY_PARTS = re.compile(r"^[^\[]+|(?<=\[)[^\]]*(?=\])")
_ALPHANUMERIC = string.ascii_letters + string.digits


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def _param_names(params_type: type) -> frozenset[str]:
    # The SDK's TypedDicts also carry its own request options, which never reach the wire.
    options = stripe.RequestOptions.__annotations__
    return frozenset(params_type.__annotations__) - frozenset(options)


def _list(data: list[Obj], url: str) -> Obj:
    return {"object": "list", "data": data, "has_more": False, "total_count": len(data), "url": url}


def _previous(before: Obj, after: Obj) -> Obj:
    # Stripe's previous_attributes: the old values of what changed, arrays and lists whole.
    return {key: value for key, value in before.items() if after.get(key) != value}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: Obj
    headers: dict[str, str]


class _Failure(Exception):
    """A request Stripe refuses; `error` is the body of its error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "",
        param: str = "",
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error: Obj = {"message": message, "type": kind}
        if code:
            self.error["code"] = code
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.error["param"] = param


def _require(params: Mapping[str, Any], name: str, param: str = "") -> Any:
    if params.get(name) in (None, ""):
        param = param or name
        raise _Failure(
            400, f"Missing required param: {param}.", code="parameter_missing", param=param
        )
    return params[name]


def _refuse_unknown(params: Obj, allowed: frozenset[str]) -> None:
    if unknown := sorted(params.keys() - allowed):
        message = f"Received unknown parameter: {unknown[0]}"
        raise _Failure(400, message, code="parameter_unknown", param=unknown[0])


def parse_params(encoded: str) -> Obj:
    """Stripe's bracket form encoding (`a[b][0][c]=v`, `expand[]=v`) as nested dicts and lists."""
    root: Obj = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        node, parts = root, _KEY_PARTS.findall(key)
        for part in parts[:-1]:
            node = node.setdefault(part or str(len(node)), {})
        node[parts[-1] or str(len(node))] = value
    return _as_lists(root)


def _as_lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {key: _as_lists(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def sign_payload(payload: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends with `payload`, signed with `secret`."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{signed_at}.".encode() + payload, hashlib.sha256)
    return f"t={signed_at},v1={digest.hexdigest()}"


def webhook_body(event: Mapping[str, Any]) -> bytes:
    return json.dumps(event, indent=2).encode()


class FakeStripe:
    """Stripe on loopback. `objects` holds every object by id, `requests` every request received
    and `events` every event built, for assertions. Accepts `api_key` only, or when it is None any
    test-mode secret key (`sk_test_...`)."""

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.events: list[Obj] = []
        self.objects: dict[str, Obj] = {}
        self.unreachable = False
        self._lock = threading.RLock()
        self._idempotent: dict[str, tuple[str, Obj, bytes]] = {}
        # What each Checkout Session sells, (price id, quantity), and the metadata Stripe copies
        # onto the subscription or payment intent that paying creates.
        self._sold: dict[str, Obj] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._creators = {
            "/v1/customers": (CustomerCreateParams, self._create_customer),
            "/v1/checkout/sessions": (CheckoutSessionCreateParams, self._checkout),
            "/v1/billing_portal/sessions": (PortalSessionCreateParams, self._portal),
        }

    def start(self) -> "FakeStripe":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # shutdown() waits for the loop's next poll: a short one keeps each test's teardown quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> "FakeStripe":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeStripe is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def set_unreachable(self, unreachable: bool) -> None:
        """While on, the server reads each request and hangs up without answering, as a network
        failure mid-request: the SDK retries, then raises `stripe.APIConnectionError`."""
        self.unreachable = unreachable

    # Python-side controls: what the customer or Stripe's scheduler does. All return plain dicts.

    def add_price(
        self,
        price_id: str,
        *,
        unit_amount: int,
        currency: str = "usd",
        recurring_interval: str | None = None,
        product: str | None = None,
    ) -> Obj:
        recurring = recurring_interval and {
            "interval": recurring_interval,
            "interval_count": 1,
            "usage_type": "licensed",
        }
        with self._lock:
            price = self._store(
                "price",
                id=price_id,
                active=True,
                currency=currency,
                metadata={},
                product=product or _new_id("prod_"),
                recurring=recurring or None,
                type="recurring" if recurring else "one_time",
                unit_amount=unit_amount,
                unit_amount_decimal=str(unit_amount),
            )
            return copy.deepcopy(price)

    def add_customer(
        self, *, email: str | None = None, name: str | None = None, metadata: Obj | None = None
    ) -> Obj:
        """A customer made elsewhere (the Dashboard, another integration)."""
        with self._lock:
            params = {"email": email, "name": name, "metadata": metadata}
            return copy.deepcopy(self._create_customer(params))

    def complete_checkout(self, session_id: str, *, now: int | None = None) -> list[Obj]:
        """The customer pays; returns the events Stripe sends, in Stripe's order."""
        now = now or int(time.time())
        with self._lock:
            session = self.objects[session_id]
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}")
            if session["customer"] is None and session["mode"] == "subscription":
                # Subscription mode always ends with a customer; Stripe creates one if needed.
                email = session["customer_email"]
                session["customer"] = self._create_customer({"email": email})["id"]
            customer = self.objects.get(session["customer"] or "", {})
            session.update(status="complete", payment_status="paid")
            session["customer_details"] = {
                "email": customer.get("email", session["customer_email"]),
                "name": customer.get("name"),
            }
            if session["mode"] == "payment":
                metadata = self._sold[session_id]["payment_intent"]
                intent, charge = self._pay(
                    session["amount_total"], session, now, paid=True, metadata=metadata
                )
                session["payment_intent"] = intent["id"]
                return [
                    self.event("charge.succeeded", charge, created=now),
                    self.event("checkout.session.completed", session, created=now),
                ]
            subscription = self._store(
                "subscription",
                created=now,
                customer=session["customer"],
                status="active",
                currency=session["currency"],
                start_date=now,
                cancel_at_period_end=False,
                cancellation_details={"comment": None, "feedback": None, "reason": None},
                collection_method="charge_automatically",
                metadata=self._sold[session_id]["subscription"],
            )
            subscription["items"] = _list(
                [
                    self._subscription_item(subscription["id"], price, quantity, now)
                    for price, quantity in self._sold[session_id]["lines"]
                ],
                f"/v1/subscription_items?subscription={subscription['id']}",
            )
            invoice = self._invoice(subscription, "subscription_create", now, (now, now), paid=True)
            session.update(subscription=subscription["id"], invoice=invoice["id"])
            return [
                self.event("customer.subscription.created", subscription, created=now),
                self.event("invoice.paid", invoice, created=now),
                self.event("checkout.session.completed", session, created=now),
            ]

    def renew_subscription(self, subscription_id: str, *, paid: bool = True) -> list[Obj]:
        """Bills the next period at the end of the current one; unpaid, the subscription goes
        past_due and the invoice stays open with a retry scheduled, as Smart Retries do."""
        with self._lock:
            subscription = self.objects[subscription_id]
            before = copy.deepcopy(subscription)
            first = subscription["items"]["data"][0]
            ended = (first["current_period_start"], first["current_period_end"])
            for item in subscription["items"]["data"]:
                item["current_period_start"] = item["current_period_end"]
                item["current_period_end"] += PERIOD
            # An invoice's own period_start/end look back at the period just ended (Stripe's
            # quirk); its lines carry the period being paid for.
            invoice = self._invoice(subscription, "subscription_cycle", ended[1], ended, paid=paid)
            subscription["status"] = "active" if paid else "past_due"
            changed = _previous(before, subscription)
            return [
                self.event(
                    f"invoice.{'paid' if paid else 'payment_failed'}", invoice, created=ended[1]
                ),
                self.event(
                    "customer.subscription.updated",
                    subscription,
                    created=ended[1],
                    previous_attributes=changed,
                ),
            ]

    def change_subscription_price(self, subscription_id: str, new_price_id: str) -> list[Obj]:
        with self._lock:
            subscription, price = self.objects[subscription_id], self.objects[new_price_id]
            if not price["recurring"]:
                raise ValueError(f"{new_price_id} is not a recurring price")
            before = copy.deepcopy(subscription)
            subscription["items"]["data"][0]["price"] = copy.deepcopy(price)
            changed = _previous(before, subscription)
            return [
                self.event(
                    "customer.subscription.updated", subscription, previous_attributes=changed
                )
            ]

    def cancel_subscription(self, subscription_id: str, *, now: int | None = None) -> list[Obj]:
        now = now or int(time.time())
        with self._lock:
            subscription = self.objects[subscription_id]
            subscription.update(status="canceled", canceled_at=now, ended_at=now)
            subscription["cancellation_details"]["reason"] = "cancellation_requested"
            return [self.event("customer.subscription.deleted", subscription, created=now)]

    def refund_charge(self, charge_id: str, *, amount: int | None = None) -> list[Obj]:
        """Refunds `amount` (by default all that is left); refunds add up, as Stripe's do."""
        with self._lock:
            charge = self.objects[charge_id]
            left = charge["amount"] - charge["amount_refunded"]
            amount = left if amount is None else amount
            if not 0 < amount <= left:
                raise ValueError(f"cannot refund {amount} of {charge_id}: {left} is refundable")
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            return [self.event("charge.refunded", charge)]

    def event(
        self,
        type: str,
        obj: Mapping[str, Any],
        *,
        created: int | None = None,
        previous_attributes: Mapping[str, Any] | None = None,
    ) -> Obj:
        """An event as Stripe delivers it, holding a snapshot of `obj`; retrievable by id."""
        data: Obj = {"object": copy.deepcopy(dict(obj))}
        if type.endswith(".updated") or previous_attributes is not None:
            data["previous_attributes"] = copy.deepcopy(dict(previous_attributes or {}))
        with self._lock:
            event = self._store(
                "event",
                created=created,
                api_version=API_VERSION,
                data=data,
                pending_webhooks=1,
                request={"id": None, "idempotency_key": None},
                type=type,
            )
            self.events.append(event)
            return copy.deepcopy(event)

    # Building objects; the callers hold the lock.

    def _store(self, kind: str, *, id: str = "", created: int | None = None, **fields: Any) -> Obj:
        # Real Checkout Session ids run to 66 characters: a column sized on short ids breaks.
        object_id = id or _new_id(_KINDS[kind][0], 58 if kind == "checkout.session" else 24)
        obj = {"id": object_id, "object": kind, "livemode": False}
        obj["created"] = created or int(time.time())
        self.objects[object_id] = obj | dict.fromkeys(_NULLS.get(kind, ())) | fields
        return self.objects[object_id]

    def _lookup(self, kind: str, object_id: str, *, param: str, status: int = 400) -> Obj:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            message = f"No such {kind}: '{object_id}'"
            raise _Failure(status, message, code="resource_missing", param=param)
        return obj

    def _create_customer(self, params: Obj) -> Obj:
        metadata = params.get("metadata") or {}
        return self._store(
            "customer", email=params.get("email"), name=params.get("name"), metadata=metadata
        )

    def _checkout(self, params: Obj) -> Obj:
        mode = _require(params, "mode")
        if mode not in ("payment", "subscription"):
            raise _Failure(400, f"FakeStripe does not model `{mode}` mode.", param="mode")
        if params.get("customer"):
            self._lookup("customer", params["customer"], param="customer")
        items = _require(params, "line_items")
        lines: list[tuple[Obj, int]] = []
        for index, item in enumerate(items if isinstance(items, list) else []):
            param = f"line_items[{index}][price]"
            price = self._lookup("price", _require(item, "price", param), param=param)
            quantity = item.get("quantity", "1")
            if not quantity.isdigit():
                param = f"line_items[{index}][quantity]"
                raise _Failure(400, f"Invalid integer: {quantity}", param=param)
            lines.append((price, int(quantity)))
        recurring = [price["recurring"] is not None for price, _ in lines]
        if mode == "payment" and any(recurring):
            raise _Failure(
                400,
                "You specified `payment` mode but passed a recurring price. Either switch to "
                "`subscription` mode or use only one-time prices.",
            )
        if mode == "subscription" and not any(recurring):
            raise _Failure(
                400,
                "You must provide at least one recurring price in `subscription` mode when "
                "using prices.",
            )
        if mode == "subscription" and not all(recurring):
            # Stripe would bill them once on the first invoice; nothing here needs that yet.
            raise _Failure(400, "FakeStripe does not model one-time prices in `subscription` mode.")
        amount = sum(price["unit_amount"] * quantity for price, quantity in lines)
        session = self._store(
            "checkout.session",
            mode=mode,
            status="open",
            payment_status="unpaid",
            customer=params.get("customer"),
            customer_email=params.get("customer_email"),
            client_reference_id=params.get("client_reference_id"),
            metadata=params.get("metadata") or {},
            success_url=params.get("success_url"),
            cancel_url=params.get("cancel_url"),
            amount_subtotal=amount,
            amount_total=amount,
            currency=lines[0][0]["currency"],
            ui_mode="hosted_page",
        )
        session.update(url=f"{self.url}/pay/{session['id']}", expires_at=session["created"] + 86400)
        self._sold[session["id"]] = {
            "lines": [(price["id"], quantity) for price, quantity in lines],
            "subscription": (params.get("subscription_data") or {}).get("metadata") or {},
            "payment_intent": (params.get("payment_intent_data") or {}).get("metadata") or {},
        }
        return session

    def _portal(self, params: Obj) -> Obj:
        customer = self._lookup("customer", _require(params, "customer"), param="customer")
        session = self._store(
            "billing_portal.session",
            customer=customer["id"],
            return_url=params.get("return_url"),
            configuration=_new_id("bpc_"),
        )
        session["url"] = f"{self.url}/portal/{session['id']}"
        return session

    def _subscription_item(self, subscription_id: str, price: str, quantity: int, now: int) -> Obj:
        return {
            "id": _new_id("si_"),
            "object": "subscription_item",
            "created": now,
            "current_period_start": now,
            "current_period_end": now + PERIOD,
            "metadata": {},
            "price": copy.deepcopy(self.objects[price]),
            "quantity": quantity,
            "subscription": subscription_id,
        }

    def _invoice(
        self, subscription: Obj, reason: str, created: int, period: tuple[int, int], *, paid: bool
    ) -> Obj:
        invoice_id = _new_id("in_")
        lines = [
            self._line(invoice_id, subscription["id"], item)
            for item in subscription["items"]["data"]
        ]
        total = sum(line["amount"] for line in lines)
        self._pay(total, subscription, created, paid=paid)
        invoice = self._store(
            "invoice",
            id=invoice_id,
            created=created,
            customer=subscription["customer"],
            currency=subscription["currency"],
            status="paid" if paid else "open",
            billing_reason=reason,
            collection_method="charge_automatically",
            amount_due=total,
            amount_paid=total if paid else 0,
            amount_remaining=0 if paid else total,
            subtotal=total,
            total=total,
            attempted=True,
            attempt_count=1,
            period_start=period[0],
            period_end=period[1],
            metadata={},
            parent={
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": copy.deepcopy(subscription["metadata"]),
                    "subscription": subscription["id"],
                },
            },
            lines=_list(lines, f"/v1/invoices/{invoice_id}/lines"),
            status_transitions={"finalized_at": created, "paid_at": created if paid else None},
        )
        if not paid:
            invoice["next_payment_attempt"] = created + 3 * 24 * 3600
        subscription["latest_invoice"] = invoice_id
        return invoice

    def _line(self, invoice_id: str, subscription_id: str, item: Obj) -> Obj:
        price, quantity = item["price"], item["quantity"]
        return {
            "id": _new_id("il_"),
            "object": "line_item",
            "amount": price["unit_amount"] * quantity,
            "currency": price["currency"],
            "invoice": invoice_id,
            "livemode": False,
            "metadata": {},
            "parent": {
                "type": "subscription_item_details",
                "subscription_item_details": {
                    "proration": False,
                    "subscription": subscription_id,
                    "subscription_item": item["id"],
                },
            },
            "period": {"start": item["current_period_start"], "end": item["current_period_end"]},
            "pricing": {
                "type": "price_details",
                "price_details": {"price": price["id"], "product": price["product"]},
                "unit_amount_decimal": str(price["unit_amount"]),
            },
            "quantity": quantity,
        }

    def _pay(
        self, amount: int, payer: Obj, created: int, *, paid: bool, metadata: Obj | None = None
    ) -> tuple[Obj, Obj]:
        """A payment intent and its charge, for `payer` (a session or subscription)."""
        common = {"created": created, "amount": amount, "currency": payer["currency"]}
        common |= {"customer": payer["customer"], "metadata": metadata or {}}
        intent = self._store(
            "payment_intent",
            **common,
            amount_received=amount if paid else 0,
            status="succeeded" if paid else "requires_payment_method",
        )
        charge = self._store(
            "charge",
            **copy.deepcopy(common),
            amount_captured=amount if paid else 0,
            amount_refunded=0,
            captured=paid,
            paid=paid,
            refunded=False,
            status="succeeded" if paid else "failed",
            payment_intent=intent["id"],
        )
        intent["latest_charge"] = charge["id"]
        if not paid:
            declined = {"code": "card_declined", "message": "Your card was declined."}
            intent["last_payment_error"] = declined | {"type": "card_error", "charge": charge["id"]}
            charge.update(failure_code=declined["code"], failure_message=declined["message"])
        return intent, charge

    # The HTTP side.

    def _answer(
        self, method: str, target: str, body: str, headers: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]] | None:
        path, query = urlsplit(target).path, urlsplit(target).query
        params = parse_params(body if method == "POST" else query)
        header = {name.lower(): value for name, value in headers.items()}
        key = header.get("idempotency-key", "") if method == "POST" else ""
        reply = {"Request-Id": _new_id("req_", 14), "Stripe-Version": API_VERSION}
        if key:
            reply["Idempotency-Key"] = key
        with self._lock:
            self.requests.append(RecordedRequest(method, path, params, headers))
            if self.unreachable:
                return None
            try:
                self._authenticate(header)
                if key in self._idempotent:
                    reply["Idempotent-Replayed"] = "true"
                    return 200, self._replay(key, path, params), reply
                status, answer = 200, self._route(method, path, params)
            except _Failure as failure:
                status, answer = failure.status, {"error": failure.error}
            except Exception as crash:  # a bug in this fake: say so rather than drop the connection
                status, answer = 500, {"error": {"type": "api_error", "message": repr(crash)}}
                reply["Stripe-Should-Retry"] = "false"
            encoded = json.dumps(answer, indent=2).encode()
            if key and status == 200:
                self._idempotent[key] = (path, params, encoded)
            return status, encoded, reply

    def _replay(self, key: str, path: str, params: Obj) -> bytes:
        first_path, first_params, first_body = self._idempotent[key]
        if first_path != path:
            raise _Failure(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ('{first_path}' vs '{path}'). Try using a key other than "
                f"'{key}' if you meant to execute a different request.",
                kind="idempotency_error",
            )
        if first_params != params:
            raise _Failure(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                kind="idempotency_error",
            )
        return first_body

    def _authenticate(self, header: Mapping[str, str]) -> None:
        scheme, _, key = header.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not key:
            raise _Failure(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                "or we can help at https://support.stripe.com/.",
            )
        if key != self.api_key if self.api_key else not key.startswith("sk_test_"):
            redacted = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:]
            raise _Failure(401, f"Invalid API Key provided: {redacted}")
        version = header.get("stripe-version", API_VERSION)
        if version != API_VERSION:
            raise _Failure(
                400, f"FakeStripe renders API version {API_VERSION} only, not {version}."
            )

    def _route(self, method: str, path: str, params: Obj) -> Obj:
        if method == "POST" and path in self._creators:
            params_type, create = self._creators[path]
            _refuse_unknown(params, _param_names(params_type))
            answer = copy.deepcopy(create(params))
        elif method == "GET" and (match := _RETRIEVE.fullmatch(path)):
            _refuse_unknown(params, frozenset({"expand"}))
            kind = _RETRIEVABLE[match[1]]
            answer = copy.deepcopy(self._lookup(kind, match[2], param="id", status=404))
        else:
            raise _Failure(
                404,
                f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
                "or we can help at https://support.stripe.com/.",
            )
        expand = params.get("expand") or []
        for field in [expand] if isinstance(expand, str) else expand:
            answer = self._expand(answer, field.split("."), field)
        return answer

    def _expand(self, node: Obj, parts: list[str], field: str) -> Obj:
        if not parts:
            return node
        head, rest = parts[0], parts[1:]
        if head == "data" and node.get("object") == "list":
            node["data"] = [self._expand(item, rest, field) for item in node["data"]]
            return node
        value = node.get(head)
        if node.get("object") == "checkout.session" and head == "line_items":
            value = self._line_items(node["id"])  # includable: only there when asked for
        elif isinstance(value, str) and value in self.objects:
            value = copy.deepcopy(self.objects[value])
        elif head in node and value is None:
            return node  # an empty reference expands to null
        elif not isinstance(value, dict):
            raise _Failure(400, f"This property cannot be expanded ({field}).")
        node[head] = self._expand(value, rest, field)
        return node

    def _line_items(self, session_id: str) -> Obj:
        items = []
        for price_id, quantity in self._sold[session_id]["lines"]:
            price = copy.deepcopy(self.objects[price_id])
            amount = price["unit_amount"] * quantity
            items.append(
                {
                    "id": _new_id("li_"),
                    "object": "item",
                    "amount_discount": 0,
                    "amount_subtotal": amount,
                    "amount_tax": 0,
                    "amount_total": amount,
                    "currency": price["currency"],
                    "description": None,
                    "price": price,
                    "quantity": quantity,
                }
            )
        return _list(items, f"/v1/checkout/sessions/{session_id}/line_items")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                answered = fake._answer(self.command, self.path, body, dict(self.headers.items()))
                if answered is None:
                    self.close_connection = True  # nothing written: the client sees a hang-up
                    return
                status, answer, reply = answered
                self.send_response(status)
                for name, value in reply.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
