"""Celery entry points of billing: each loads ids, enters the brand's scope, calls a service."""

from celery import shared_task

from tenants.context import tenant_scope

from . import notices_mail, plans


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
