"""Reads of the compliance app: what the checker knows of a brand, evidence, rules, review items,
reports. Every function takes the tenant it reads, except the staff reads at the end, which cross
brands on purpose and say why in `unscoped(reason=...)`."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from billing.plans import plan_for
from generation.models import BrandKit, Product
from tenants.context import unscoped
from tenants.models import Tenant

from .models import (
    ClaimEvidence,
    ComplianceDecision,
    CustomRule,
    FindingRecord,
    ModerationCase,
    PriceRecord,
    ReviewItem,
)
from .types import BrandContext, Evidence, PriceFacts

PRICE_WINDOW_DAYS = 7


# WHAT THE CHECKER KNOWS OF A BRAND ---------------------------------------------------------


def custom_rules_enabled(*, tenant: Tenant) -> bool:
    """Whether the brand's plan includes custom rules (Team)."""
    return bool(plan_for(tenant=tenant).custom_rules)


def brand_context(
    *,
    tenant: Tenant,
    product: Product | None = None,
    kit: BrandKit | None = None,
    today: date | None = None,
) -> BrandContext:
    """Everything `compliance.checker.check_text` needs to know of the brand.

    Banned words: the brand kit's (`kit`, or the newest version) plus the brand's custom banned
    words. Allowed phrases: the brand's custom ones, only while its plan includes custom rules (a
    downgrade keeps the stricter half, the banned words, and drops the looser half). Evidence:
    all of the brand's; the checker judges validity on `today`. Prices: `price_facts` of
    `product`, when one is given.
    """
    today = today or timezone.localdate()
    if kit is None:
        kit = BrandKit.objects.filter(tenant=tenant).order_by("-version").first()
    rules = list(CustomRule.objects.filter(tenant=tenant).order_by("kind", "phrase"))
    allowed_enabled = any(r.kind == CustomRule.Kind.ALLOWED for r in rules) and (
        custom_rules_enabled(tenant=tenant)
    )
    banned = [*(kit.banned_words if kit is not None else ()), *(
        r.phrase for r in rules if r.kind == CustomRule.Kind.BANNED
    )]  # fmt: skip
    return BrandContext(
        banned_words=tuple(dict.fromkeys(word for word in banned if word.strip())),
        allowed_phrases=tuple(
            r.phrase for r in rules if r.kind == CustomRule.Kind.ALLOWED and allowed_enabled
        ),
        evidence=tuple(evidence_facts(tenant=tenant)),
        prices=price_facts(tenant=tenant, product=product) if product is not None else None,
        today=today,
    )


def evidence_facts(*, tenant: Tenant) -> list[Evidence]:
    return [
        Evidence(
            id=row.pk,
            claim=row.claim,
            title=row.title,
            issuer=row.issuer,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
        )
        for row in evidence_list(tenant=tenant)
    ]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def lowest_price_before(
    *, tenant: Tenant, product: Product, today: date, days: int = PRICE_WINDOW_DAYS
) -> Decimal | None:
    """The lowest price the product had in the `days` days before `today` (today excluded: it is
    the promotion being checked); None when its recorded history does not cover all of them."""
    window_start, window_end = _day_start(today - timedelta(days=days)), _day_start(today)
    history = PriceRecord.objects.filter(tenant=tenant, product=product)
    opening = history.filter(recorded_at__lte=window_start).order_by("-recorded_at", "-pk").first()
    if opening is None or opening.price is None:
        return None
    changes = history.filter(
        recorded_at__gt=window_start, recorded_at__lt=window_end, price__isnull=False
    ).values_list("price", flat=True)
    return min([opening.price, *changes])


def price_facts(*, tenant: Tenant, product: Product, today: date | None = None) -> PriceFacts:
    """The product's prices for 《明码标价和禁止价格欺诈规定》 Arts. 16–17, from its history."""
    return PriceFacts(
        currency=product.currency,
        price=product.price,
        reference_price=product.reference_price,
        lowest_7_days=lowest_price_before(
            tenant=tenant, product=product, today=today or timezone.localdate()
        ),
    )


def price_history(*, tenant: Tenant, product: Product) -> QuerySet[PriceRecord]:
    return PriceRecord.objects.filter(tenant=tenant, product=product).order_by(
        "-recorded_at", "-pk"
    )


# EVIDENCE AND RULES -------------------------------------------------------------------------


def evidence_list(*, tenant: Tenant, claim: str = "") -> QuerySet[ClaimEvidence]:
    evidence = ClaimEvidence.objects.filter(tenant=tenant)
    if claim:
        evidence = evidence.filter(claim=claim)
    return evidence.order_by("claim", "-valid_from", "-pk")


def evidence_get(*, tenant: Tenant, evidence_id: int) -> ClaimEvidence:
    """Raises ClaimEvidence.DoesNotExist (also for another brand's id)."""
    return ClaimEvidence.objects.get(tenant=tenant, pk=evidence_id)


def custom_rule_list(*, tenant: Tenant, kind: str = "") -> QuerySet[CustomRule]:
    rules = CustomRule.objects.filter(tenant=tenant)
    if kind:
        rules = rules.filter(kind=kind)
    return rules.order_by("kind", "phrase")


def custom_rule_get(*, tenant: Tenant, rule_id: int) -> CustomRule:
    """Raises CustomRule.DoesNotExist (also for another brand's id)."""
    return CustomRule.objects.get(tenant=tenant, pk=rule_id)


# REVIEW QUEUE -------------------------------------------------------------------------------


def review_item_list(
    *, tenant: Tenant, state: str = "", job_id: int | None = None
) -> QuerySet[ReviewItem]:
    """The brand's review items, newest first, with their render, asset and job (flat queries)."""
    items = ReviewItem.objects.filter(tenant=tenant)
    if state:
        items = items.filter(state=state)
    if job_id is not None:
        items = items.filter(job_id=job_id)
    return items.select_related(
        "render", "render__asset", "render__product", "decided_by"
    ).order_by("-created_at", "-pk")


def review_item_get(*, tenant: Tenant, item_id: int) -> ReviewItem:
    """Raises ReviewItem.DoesNotExist (also for another brand's id)."""
    return review_item_list(tenant=tenant).get(pk=item_id)


def review_counts(*, tenant: Tenant) -> dict[str, int]:
    """Review items per state (every state present, 0 when none)."""
    counts = dict.fromkeys(ReviewItem.State.values, 0)
    rows = ReviewItem.objects.filter(tenant=tenant).values_list("state").annotate(n=Count("id"))
    counts.update({state: n for state, n in rows.order_by()})
    return counts


def decision_list(*, tenant: Tenant, render_id: int) -> QuerySet[ComplianceDecision]:
    """A render's decisions, oldest first: the history shown with a review item."""
    return (
        ComplianceDecision.objects.filter(tenant=tenant, render_id=render_id)
        .select_related("actor", "actor_api_key")
        .order_by("created_at", "pk")
    )


def moderation_case_of(*, tenant: Tenant, render_id: int) -> ModerationCase | None:
    return ModerationCase.objects.filter(tenant=tenant, render_id=render_id).first()


# REPORTS ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingCount:
    week: date  # the Monday of the week (UTC)
    reference: str  # the legal article
    count: int
    tenant_id: int | None = None  # set by the cross-brand report


def findings_per_week(*, tenant: Tenant, weeks: int = 12) -> list[FindingCount]:
    """Findings of the brand's generated copy (first check, before rewrites) per article and
    week, newest week first, most frequent article first."""
    since = timezone.now() - timedelta(weeks=weeks)
    rows = (
        FindingRecord.objects.filter(tenant=tenant, created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "reference")
        .annotate(count=Count("id"))
        .order_by("-week", "-count", "reference")
    )
    return [FindingCount(row["week"].date(), row["reference"], row["count"]) for row in rows]


def findings_per_week_all_brands(*, weeks: int = 12) -> list[FindingCount]:
    """The same report for every brand (staff): one row per brand, week and article."""
    since = timezone.now() - timedelta(weeks=weeks)
    with unscoped(reason="staff: ad-law findings per brand, article and week"):
        rows = list(
            FindingRecord.all_tenants.filter(created_at__gte=since)
            .annotate(week=TruncWeek("created_at"))
            .values("tenant_id", "week", "reference")
            .annotate(count=Count("id"))
            .order_by("-week", "tenant_id", "-count", "reference")
        )
    return [
        FindingCount(row["week"].date(), row["reference"], row["count"], row["tenant_id"])
        for row in rows
    ]


# PLATFORM MODERATION (STAFF, ACROSS BRANDS) -------------------------------------------------


@dataclass(frozen=True)
class QueueStats:
    open: int
    claimed: int
    overdue: int
    appeals: int


def moderation_queue(
    *, state: str = "", reason: str = "", limit: int = 200
) -> list[ModerationCase]:
    """Cases of every brand, most urgent first (open and claimed ones unless `state` says
    otherwise), with their brand, render and asset loaded: plain rows read inside the bypass."""
    with unscoped(reason="staff: platform moderation queue"):
        cases = ModerationCase.all_tenants.select_related(
            "tenant", "render", "render__asset", "claimed_by", "decided_by"
        )
        if state:
            cases = cases.filter(state=state)
        else:
            cases = cases.filter(state__in=ModerationCase.OPEN_STATES)
        if reason:
            cases = cases.filter(reason=reason)
        return list(cases.order_by("due_at", "pk")[:limit])


def moderation_case_get(*, case_id: int) -> ModerationCase:
    """One case of any brand, with its render, asset, review item and decisions loaded.

    Raises ModerationCase.DoesNotExist.
    """
    with unscoped(reason="staff: read a moderation case"):
        case = ModerationCase.all_tenants.select_related(
            "tenant", "render", "render__asset", "render__job", "claimed_by", "decided_by",
            "first_decided_by",
        ).get(pk=case_id)  # fmt: skip
        # Loaded now: the bypass ends with this block.
        case.history = list(  # type: ignore[attr-defined]
            ComplianceDecision.all_tenants.filter(render_id=case.render_id)
            .select_related("actor", "actor_api_key")
            .order_by("created_at", "pk")
        )
    return case


def moderation_stats(*, now: datetime | None = None) -> QueueStats:
    now = now or timezone.now()
    with unscoped(reason="staff: moderation queue counts"):
        stats = ModerationCase.all_tenants.filter(state__in=ModerationCase.OPEN_STATES).aggregate(
            open=Count("id", filter=Q(state=ModerationCase.State.OPEN)),
            claimed=Count("id", filter=Q(state=ModerationCase.State.CLAIMED)),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            appeals=Count("id", filter=Q(stage=ModerationCase.Stage.APPEAL)),
        )
    return QueueStats(**stats)
