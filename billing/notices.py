"""Low-balance notices: at 80% and 100% of a period's allowance, once each per period."""

import logging

from django.db import IntegrityError, transaction

from tenants.models import Tenant

from .models import BalanceNotice, CreditAccount

logger = logging.getLogger(__name__)

THRESHOLDS = (100, 80)


def notice_threshold_reached(account: CreditAccount) -> int | None:
    if not account.allowance or account.period_end is None:
        return None
    used = account.allowance - account.granted - account.reserved_granted
    percent = used * 100 / account.allowance
    return next((threshold for threshold in THRESHOLDS if percent >= threshold), None)


def notices_check(*, tenant: Tenant, account: CreditAccount) -> BalanceNotice | None:
    """Record (and queue the email of) the highest threshold newly crossed, if any."""
    threshold = notice_threshold_reached(account)
    if threshold is None or account.period_end is None:
        return None
    if BalanceNotice.objects.filter(
        tenant=tenant, period_end=account.period_end, threshold__gte=threshold
    ).exists():
        return None
    try:
        with transaction.atomic():
            notice = BalanceNotice.objects.create(
                tenant=tenant, period_end=account.period_end, threshold=threshold
            )
    except IntegrityError:
        return None
    from . import tasks

    notice_id = notice.pk
    transaction.on_commit(
        lambda: tasks.balance_notice_send.delay(tenant_id=tenant.pk, notice_id=notice_id)
    )
    logger.info("billing.balance_notice", extra={"tenant_id": tenant.pk, "threshold": threshold})
    return notice


def latest_notice(*, tenant: Tenant, account: CreditAccount) -> BalanceNotice | None:
    if account.period_end is None:
        return None
    return (
        BalanceNotice.objects.filter(tenant=tenant, period_end=account.period_end)
        .order_by("-threshold")
        .first()
    )
