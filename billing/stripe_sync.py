"""Stripe with the official SDK: Checkout, the Customer Portal, and syncing what Stripe says.

Rules that keep money exact whatever Stripe sends:
- A brand is found from the Stripe customer through our StripeCustomer table, never from an
  event's metadata.
- Events only say "look again": each handler re-reads the object from Stripe and applies its
  current state, so out-of-order and replayed events converge on the same result.
- Credits move only through the ledger, with keys derived from Stripe ids (one grant per
  invoice, one purchase per Checkout session, one claw-back per refunded amount).
"""

import json
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.audit import audit_record
from tenants.context import tenant_scope, unscoped
from tenants.models import Tenant

from . import ledger
from .exceptions import BillingRefusal
from .models import (
    CheckoutSession,
    CreditPack,
    CreditPurchase,
    Plan,
    StripeCustomer,
    StripeEvent,
    Subscription,
)
from .plans import is_billed_by_stripe, subscription_get

logger = logging.getLogger(__name__)


class StripeUnavailable(Exception):
    """Stripe could not be reached or failed; nothing was changed on our side."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Stripe, our payment provider, could not be reached, so nothing was charged or "
                "changed. Please try again in a minute."
            )
        )


class CheckoutRefused(BillingRefusal):
    """A checkout or portal request that cannot be served (no price, already subscribed)."""


class EventNotApplicable(Exception):
    """The event cannot be applied (unknown customer or price): stored and flagged for staff."""


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,  # the SDK retries with Idempotency-Keys of its own
    )


def _call(operation: Any, *args: Any, **kwargs: Any) -> Any:
    """One SDK call; transport, server or key trouble becomes StripeUnavailable."""
    if not settings.STRIPE_SECRET_KEY:
        logger.error("stripe.not_configured")
        raise StripeUnavailable()
    try:
        return operation(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        logger.warning("stripe.unavailable", extra={"error": type(error).__name__})
        raise StripeUnavailable() from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        logger.error("stripe.key_refused", extra={"error": type(error).__name__})
        raise StripeUnavailable() from error


# CHECKOUT AND PORTAL --------------------------------------------------------------------------


def customer_ensure(*, tenant: Tenant) -> str:
    """The brand's Stripe customer id, created once (Stripe's idempotency key covers a retry
    after a lost answer; our unique row covers two clicks at once)."""
    existing = StripeCustomer.objects.filter(tenant=tenant).first()
    if existing is not None:
        return existing.customer_id
    customer = _call(
        client().v1.customers.create,
        params={"name": tenant.name, "metadata": {"brand": tenant.slug}},
        options={"idempotency_key": f"brandloom-customer-{tenant.pk}"},
    )
    try:
        with transaction.atomic():
            StripeCustomer.objects.create(tenant=tenant, customer_id=customer.id)
    except IntegrityError:
        pass  # the same idempotency key returned the same customer to the other request
    return StripeCustomer.objects.get(tenant=tenant).customer_id


def checkout_start(
    *,
    tenant: Tenant,
    user: User,
    success_url: str,
    cancel_url: str,
    plan_code: str | None = None,
    pack_code: str | None = None,
) -> str:
    """Open a Stripe Checkout for a plan or a credit pack; returns the page to send the user to.

    Raises CheckoutRefused (no Stripe price, already subscribed) or StripeUnavailable. Nothing is
    granted here: the webhook for the completed session does that.
    """
    if (plan_code is None) == (pack_code is None):
        raise CheckoutRefused(_("Choose either a plan or a credit pack."))
    plan = pack = None
    if plan_code is not None:
        plan = Plan.objects.filter(code=plan_code, is_public=True).first()
        if plan is None or not plan.stripe_price_id:
            raise CheckoutRefused(
                _("The plan %(code)r cannot be bought online.") % {"code": plan_code}
            )
        if is_billed_by_stripe(subscription_get(tenant=tenant)):
            raise CheckoutRefused(
                _("The brand already has a paid subscription: change its plan in Manage billing.")
            )
        price_id, mode = plan.stripe_price_id, "subscription"
    else:
        pack = CreditPack.objects.filter(code=pack_code, is_active=True).first()
        if pack is None or not pack.stripe_price_id:
            raise CheckoutRefused(
                _("The credit pack %(code)r cannot be bought online.") % {"code": pack_code}
            )
        price_id, mode = pack.stripe_price_id, "payment"
    customer_id = customer_ensure(tenant=tenant)
    try:
        session = _call(
            client().v1.checkout.sessions.create,
            params={
                "mode": mode,
                "customer": customer_id,
                "line_items": [{"price": price_id, "quantity": 1}],
                "success_url": success_url,
                "cancel_url": cancel_url,
                "client_reference_id": str(tenant.pk),
            },
        )
    except stripe.InvalidRequestError as error:
        # A price staff entered that Stripe does not know, or one of the wrong kind.
        logger.error("stripe.checkout_refused", extra={"price": price_id, "code": error.code})
        raise CheckoutRefused(
            _(
                "This can't be bought online right now (Stripe refused its price); "
                "nothing was charged. Our staff have been told."
            )
        ) from error
    CheckoutSession.objects.create(
        tenant=tenant,
        session_id=session.id,
        kind=CheckoutSession.Kind.SUBSCRIPTION if plan else CheckoutSession.Kind.PACK,
        plan=plan,
        pack=pack,
        created_by=user,
    )
    audit_record(
        tenant=tenant,
        actor=user,
        action="billing.checkout_started",
        data={"plan": plan_code, "pack": pack_code, "session": session.id},
    )
    return str(session.url)


def portal_open(*, tenant: Tenant, return_url: str) -> str:
    """A Customer Portal session (plan changes, payment methods, cancel); returns its URL."""
    customer = StripeCustomer.objects.filter(tenant=tenant).first()
    if customer is None:
        raise CheckoutRefused(_("The brand has not paid through Stripe yet: choose a plan first."))
    session = _call(
        client().v1.billing_portal.sessions.create,
        params={"customer": customer.customer_id, "return_url": return_url},
    )
    return str(session.url)


# WEBHOOK EVENTS -------------------------------------------------------------------------------


def event_receive(*, payload: bytes, signature: str) -> tuple[StripeEvent, bool]:
    """Verify a webhook and store its event once; returns (event, is_new).

    Raises stripe.SignatureVerificationError (forged, stale) or ValueError (not JSON): the view
    answers 400 and nothing is stored.
    """
    event = stripe.Webhook.construct_event(
        payload,
        signature,
        settings.STRIPE_WEBHOOK_SECRET,
        tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
    )
    body = json.loads(payload)  # as sent: the SDK's objects turn some amounts into Decimals
    if body.get("id") != event.id:
        raise ValueError("The body is not a Stripe event.")
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=body["id"],
                type=body["type"],
                payload=body,
                stripe_created=datetime.fromtimestamp(body["created"], tz=UTC),
            )
    except IntegrityError:
        return StripeEvent.objects.get(event_id=body["id"]), False
    return stored, True


def event_process(*, event_id: int) -> StripeEvent:
    """Apply one stored event; safe to run again (every effect is keyed by a Stripe id)."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_id)
        if event.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
            return event
        event.attempts += 1
        handler = _HANDLERS.get(event.type)
        try:
            if handler is None:
                event.status = StripeEvent.Status.IGNORED
            else:
                with transaction.atomic():  # a flagged event leaves nothing half-applied
                    event.matched_tenant = handler(event.payload["data"]["object"])
                event.status = StripeEvent.Status.PROCESSED
            event.note = ""
        except (EventNotApplicable, stripe.InvalidRequestError) as error:
            # Unknown customer, price or object: keep the event for staff, never crash.
            logger.warning("stripe.event_flagged", extra={"event": event.event_id})
            event.status = StripeEvent.Status.FLAGGED
            event.note = str(error)
        event.processed_at = timezone.now()
        event.save()
    return event


def _tenant_of_customer(customer_id: str | None) -> Tenant:
    with unscoped(reason="stripe: map a customer to its brand"):
        row = (
            StripeCustomer.all_tenants.select_related("tenant")
            .filter(customer_id=customer_id or "")
            .first()
        )
    if row is None:
        raise EventNotApplicable(f"No brand has the Stripe customer {customer_id!r}.")
    return row.tenant


def _at(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def subscription_sync(*, subscription_id: str) -> Tenant:
    """Mirror a Stripe subscription's current state onto its brand's Subscription row."""
    remote = _call(client().v1.subscriptions.retrieve, subscription_id).to_dict()
    tenant = _tenant_of_customer(remote["customer"])
    item = remote["items"]["data"][0]
    plan = Plan.objects.filter(stripe_price_id=item["price"]["id"]).first()
    if plan is None:
        raise EventNotApplicable(f"No plan sells the Stripe price {item['price']['id']!r}.")
    with tenant_scope(tenant.pk):
        row = Subscription.objects.select_for_update().filter(tenant=tenant).first()
        if (
            row is not None
            and row.stripe_subscription_id not in (None, subscription_id)
            and remote["status"] == Subscription.Status.CANCELED
        ):
            return tenant  # an old subscription ending says nothing about the current one
        status = remote["status"]
        was_in_arrears = row is not None and row.status in ("past_due", "unpaid")
        fields = {
            "plan": plan,
            "status": status if status in Subscription.Status.values else "incomplete",
            "stripe_subscription_id": subscription_id,
            "current_period_start": _at(item.get("current_period_start")),
            "current_period_end": _at(item.get("current_period_end")),
            "cancel_at_period_end": bool(remote.get("cancel_at_period_end")),
        }
        if status in ("past_due", "unpaid") and not was_in_arrears:
            fields["grace_until"] = timezone.now() + timedelta(days=settings.APP_BILLING_GRACE_DAYS)
        elif status in ("active", "trialing"):
            fields["grace_until"] = None
        Subscription.objects.update_or_create(tenant=tenant, defaults=fields)
    return tenant


def _on_subscription(obj: dict[str, Any]) -> Tenant:
    return subscription_sync(subscription_id=obj["id"])


def _on_invoice_paid(obj: dict[str, Any]) -> Tenant:
    """Grant the period's credits once per paid subscription invoice."""
    invoice = _call(client().v1.invoices.retrieve, obj["id"]).to_dict()
    tenant = _tenant_of_customer(invoice["customer"])
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    subscription_id = details.get("subscription")
    if invoice["status"] != "paid" or not subscription_id:
        return tenant  # a one-off invoice, or not paid after all: nothing to grant
    subscription_sync(subscription_id=subscription_id)
    line = invoice["lines"]["data"][0]
    price_id = ((line.get("pricing") or {}).get("price_details") or {}).get("price")
    plan = Plan.objects.filter(stripe_price_id=price_id).first()
    if plan is None:
        raise EventNotApplicable(f"No plan sells the Stripe price {price_id!r}.")
    with tenant_scope(tenant.pk):
        ledger.credit_grant(
            tenant=tenant,
            amount=plan.monthly_credits,
            period_start=_at(line["period"]["start"]) or timezone.now(),
            period_end=_at(line["period"]["end"]) or timezone.now(),
            idempotency_key=f"grant:invoice:{invoice['id']}",
            reason=f"{plan.name} plan, invoice {invoice.get('number') or invoice['id']}",
        )
    return tenant


def _on_invoice_payment_failed(obj: dict[str, Any]) -> Tenant:
    invoice = _call(client().v1.invoices.retrieve, obj["id"]).to_dict()
    tenant = _tenant_of_customer(invoice["customer"])
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    if details.get("subscription"):
        # The subscription's own state (past_due) starts the grace period.
        subscription_sync(subscription_id=details["subscription"])
    return tenant


def _on_checkout_completed(obj: dict[str, Any]) -> Tenant:
    remote = _call(client().v1.checkout.sessions.retrieve, obj["id"]).to_dict()
    tenant = _tenant_of_customer(remote.get("customer"))
    with tenant_scope(tenant.pk):
        session = CheckoutSession.objects.filter(tenant=tenant, session_id=remote["id"]).first()
        if session is None:
            raise EventNotApplicable(f"Brandloom did not open the Checkout {remote['id']!r}.")
        if remote["payment_status"] not in ("paid", "no_payment_required"):
            return tenant  # async payment methods complete later (a second event)
        session.completed_at = session.completed_at or timezone.now()
        session.payment_intent_id = remote.get("payment_intent") or ""
        session.save(update_fields=["completed_at", "payment_intent_id"])
        if session.kind == CheckoutSession.Kind.PACK and session.pack is not None:
            _purchase_record(tenant=tenant, session=session, pack=session.pack)
    if remote.get("subscription"):
        subscription_sync(subscription_id=remote["subscription"])
    return tenant


def _purchase_record(*, tenant: Tenant, session: CheckoutSession, pack: CreditPack) -> None:
    CreditPurchase.objects.get_or_create(
        tenant=tenant,
        checkout_session_id=session.session_id,
        defaults={
            "pack": pack,
            "credits": pack.credits,
            "payment_intent_id": session.payment_intent_id,
        },
    )
    ledger.credit_purchase(
        tenant=tenant,
        amount=pack.credits,
        idempotency_key=f"purchase:{session.session_id}",
        reference=session.payment_intent_id or session.session_id,
        reason=pack.name,
    )


def _on_charge_refunded(obj: dict[str, Any]) -> Tenant:
    """Claw back the refunded share of a pack's credits, as far as they are unspent."""
    charge = _call(client().v1.charges.retrieve, obj["id"]).to_dict()
    tenant = _tenant_of_customer(charge.get("customer"))
    with tenant_scope(tenant.pk):
        purchase = (
            CreditPurchase.objects.select_for_update()
            .filter(tenant=tenant, payment_intent_id=charge.get("payment_intent") or "-")
            .first()
        )
        if purchase is None:
            return tenant  # a subscription charge: its credits expire with the period anyway
        share = Decimal(charge["amount_refunded"]) / Decimal(charge["amount"])
        owed = ledger.credits(purchase.credits * share) - purchase.refunded_credits
        if owed <= 0:
            return tenant
        entry = ledger.credit_claw_back(
            tenant=tenant,
            amount=owed,
            idempotency_key=f"clawback:{charge['id']}:{charge['amount_refunded']}",
            reference=charge["id"],
            reason=f"refund of {purchase.pack.name}",
        )
        purchase.refunded_credits += owed
        purchase.save(update_fields=["refunded_credits"])
        if -entry.purchased_delta < owed:
            logger.info(
                "billing.clawback_partial",
                extra={
                    "tenant_id": tenant.pk,
                    "owed": str(owed),
                    "taken": str(-entry.purchased_delta),
                },
            )
    return tenant


_HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription,
    "customer.subscription.updated": _on_subscription,
    "customer.subscription.deleted": _on_subscription,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_payment_failed,
    "charge.refunded": _on_charge_refunded,
}
