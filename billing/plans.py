"""Which plan a brand is on, what it allows, and its monthly allowance.

A brand without a Subscription row is on APP_BILLING_DEFAULT_PLAN. A subscription that ended,
or whose payment failed longer ago than the grace period, puts the brand on Free: its data stays,
the Free limits apply. Brands not billed through Stripe (Free, or a plan staff gave without
Stripe) get their allowance per calendar month (UTC) from beat; Stripe-billed brands get it
from each paid invoice (billing.stripe_sync).
"""

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tenants.audit import audit_record
from tenants.context import tenant_scope, unscoped
from tenants.entitlements import Entitlements
from tenants.models import Tenant

from .models import CreditAccount, Plan, Subscription

logger = logging.getLogger(__name__)

FREE = "free"
_LIVE = (Subscription.Status.ACTIVE, Subscription.Status.TRIALING)
_IN_ARREARS = (Subscription.Status.PAST_DUE, Subscription.Status.UNPAID)


def plan_get(code: str) -> Plan:
    return Plan.objects.get(code=code)


def subscription_get(*, tenant: Tenant) -> Subscription | None:
    return Subscription.objects.filter(tenant=tenant).select_related("plan").first()


def plan_for(*, tenant: Tenant, now: datetime | None = None) -> Plan:
    """The plan whose limits apply to the brand now."""
    subscription = subscription_get(tenant=tenant)
    if subscription is None:
        return plan_get(settings.APP_BILLING_DEFAULT_PLAN)
    if subscription.status in _LIVE:
        return subscription.plan
    now = now or timezone.now()
    if subscription.status in _IN_ARREARS and (
        subscription.grace_until is not None and subscription.grace_until > now
    ):
        return subscription.plan
    return plan_get(FREE)


def is_billed_by_stripe(subscription: Subscription | None) -> bool:
    return bool(
        subscription
        and subscription.stripe_subscription_id
        and subscription.status in (*_LIVE, *_IN_ARREARS)
    )


def entitlements(tenant: Tenant) -> Entitlements:
    """APP_ENTITLEMENTS_POLICY: the plan's API access, seats and API rate limit."""
    plan = plan_for(tenant=tenant)
    return Entitlements(
        api_access=plan.api_access, seats=plan.seats, api_rate_limit=plan.api_rate_limit
    )


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def allowance_open(*, tenant: Tenant, account: CreditAccount, now: datetime | None = None) -> None:
    """Grant this month's allowance if the brand is not billed by Stripe and has none running.

    Called with the account locked. Once per brand and month (the ledger key says which).
    """

    now = now or timezone.now()
    if account.period_end is not None and account.period_end > now:
        return
    subscription = subscription_get(tenant=tenant)
    if is_billed_by_stripe(subscription):
        return  # the next paid invoice grants; an overdue one leaves the brand without
    _month_grant(tenant=tenant, plan=plan_for(tenant=tenant, now=now), now=now)


def _month_grant(*, tenant: Tenant, plan: Plan, now: datetime) -> None:
    """The plan's credits for the month of `now`, once per plan and month (the key says so)."""
    from .ledger import credit_grant

    start, end = month_bounds(now)
    credit_grant(
        tenant=tenant,
        amount=plan.monthly_credits,
        period_start=start,
        period_end=end,
        idempotency_key=f"grant:{plan.code}:{start:%Y-%m}",
        reason=f"{plan.name} plan, {start:%B %Y}",
    )


@transaction.atomic
def plan_assign(*, tenant: Tenant, plan_code: str, actor: User | None, reason: str) -> Subscription:
    """Put a brand on a plan without Stripe (staff, the demo brand); its allowance starts now.

    Refused for a brand billed through Stripe: its plan changes in the Customer Portal.
    """

    plan = plan_get(plan_code)
    subscription = Subscription.objects.select_for_update().filter(tenant=tenant).first()
    if is_billed_by_stripe(subscription):
        raise ValueError("The brand pays through Stripe: change its plan in the Customer Portal.")
    subscription, _created = Subscription.objects.update_or_create(
        tenant=tenant,
        defaults={
            "plan": plan,
            "status": Subscription.Status.ACTIVE,
            "stripe_subscription_id": None,
            "grace_until": None,
        },
    )
    # Once per plan and month: assigning the same plan again grants nothing.
    _month_grant(tenant=tenant, plan=plan, now=timezone.now())
    audit_record(
        tenant=tenant, actor=actor, action="billing.plan_assigned", target=subscription,
        data={"plan": plan.code, "reason": reason},
    )  # fmt: skip
    return subscription


def period_roll(*, tenant: Tenant, now: datetime | None = None) -> None:
    """Beat, per brand: end a lapsed grace period, expire an ended period, grant a new one."""
    from .ledger import account_lock, credits_expire_due

    now = now or timezone.now()
    with transaction.atomic():
        subscription = subscription_downgrade_if_lapsed(tenant=tenant, now=now)
        account = account_lock(tenant=tenant)
        credits_expire_due(tenant=tenant, now=now)
        if not is_billed_by_stripe(subscription):
            allowance_open(tenant=tenant, account=account, now=now)


def subscription_downgrade_if_lapsed(*, tenant: Tenant, now: datetime) -> Subscription | None:
    """A subscription past its grace period stops counting: the brand is on Free from now."""
    subscription = Subscription.objects.select_for_update().filter(tenant=tenant).first()
    if (
        subscription is not None
        and subscription.status in _IN_ARREARS
        and subscription.grace_until is not None
        and subscription.grace_until <= now
    ):
        logger.info("billing.grace_ended", extra={"tenant_id": tenant.pk})
        subscription.status = Subscription.Status.CANCELED
        subscription.save(update_fields=["status", "updated_at"])
    return subscription


def periods_roll_all(*, now: datetime | None = None) -> int:
    """Roll every brand whose period ended (or that has none); returns how many were rolled."""
    now = now or timezone.now()
    with unscoped(reason="billing: find brands whose credit period ended"):
        due = list(
            Tenant.objects.filter(status=Tenant.Status.ACTIVE)
            .exclude(pk__in=CreditAccount.all_tenants.filter(period_end__gt=now).values("tenant"))
            .values_list("pk", flat=True)
        )
        lapsed = set(
            Subscription.all_tenants.filter(
                status__in=_IN_ARREARS, grace_until__lte=now
            ).values_list("tenant_id", flat=True)
        )
    for tenant_id in sorted({*due, *lapsed}):
        with tenant_scope(tenant_id):
            period_roll(tenant=Tenant.objects.get(pk=tenant_id), now=now)
    return len({*due, *lapsed})
