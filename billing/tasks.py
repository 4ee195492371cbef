"""Celery entry points of billing: each loads ids, enters the brand's scope, calls a service."""

from celery import shared_task

from tenants.context import tenant_scope

from . import notices_mail, plans, stripe_sync
from .stripe_sync import StripeUnavailable


@shared_task(name="billing.periods_roll", acks_late=True)
def periods_roll() -> int:
    """Beat: monthly allowances, expiry, lapsed grace periods (idempotent per brand and month)."""
    return plans.periods_roll_all()


@shared_task(
    name="billing.balance_notice_send",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def balance_notice_send(*, tenant_id: int, notice_id: int) -> None:
    with tenant_scope(tenant_id):
        notices_mail.balance_notice_email(tenant_id=tenant_id, notice_id=notice_id)


@shared_task(
    name="billing.stripe_event_process",
    acks_late=True,
    autoretry_for=(StripeUnavailable,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def stripe_event_process(*, event_id: int) -> str:
    """Apply a stored Stripe event (platform-wide: the handler finds the brand)."""
    return stripe_sync.event_process(event_id=event_id).status
