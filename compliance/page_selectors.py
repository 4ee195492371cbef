"""What the compliance pages read beyond `compliance.selectors`: poster links, the staff appeals
list and the findings report in the shapes the pages show. Staff reads cross brands on purpose
and say why in `unscoped(reason=...)`, as `compliance.selectors` does."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Case, QuerySet, When

from generation import pages_support
from generation.models import Render
from tenants.context import unscoped
from tenants.models import Tenant

from .models import ModerationCase
from .selectors import FindingCount


@dataclass(frozen=True)
class Poster:
    thumbnail_url: str
    full_url: str
    width: int
    height: int


def poster_of(render: Render) -> Poster | None:
    """Inline links to the render's image (the select_related asset), None before it exists."""
    asset = render.asset if render.asset_id else None
    if asset is None or not asset.file.name:
        return None
    key = asset.file.name
    return Poster(
        thumbnail_url=pages_support.inline_url(
            tenant_id=render.tenant_id, key=key, width=pages_support.THUMBNAIL_WIDTHS[-1]
        ),
        full_url=pages_support.inline_url(tenant_id=render.tenant_id, key=key),
        width=render.width,
        height=render.height,
    )


def thumbnail_of(render: Render) -> str:
    asset = render.asset if render.asset_id else None
    if asset is None or not asset.file.name:
        return ""
    return pages_support.inline_url(
        tenant_id=render.tenant_id, key=asset.file.name, width=pages_support.THUMBNAIL_WIDTHS[0]
    )


# STAFF --------------------------------------------------------------------------------------


def appeal_list() -> QuerySet[ModerationCase]:
    """Cases at the appeal stage of every brand: waiting ones first, most urgent first. Call it
    inside `unscoped` and read the rows there (`appeal_page` does)."""
    cases = ModerationCase.all_tenants.filter(stage=ModerationCase.Stage.APPEAL).select_related(
        "tenant", "render", "render__asset", "claimed_by", "decided_by", "first_decided_by"
    )
    waiting = Case(When(state__in=ModerationCase.OPEN_STATES, then=0), default=1)
    return cases.annotate(waiting=waiting).order_by("waiting", "due_at", "-appealed_at", "-pk")


def appeal_page(*, number: str | int | None, per_page: int) -> Page[ModerationCase]:
    """One page of `appeal_list` (rows and count read inside the bypass)."""
    with unscoped(reason="staff: the platform's appeals list"):
        page = Paginator(appeal_list(), per_page).get_page(number)
        page.object_list = list(page.object_list)
    return page


def brand_names(*, tenant_ids: Iterable[int]) -> dict[int, Tenant]:
    ids = set(tenant_ids)
    if not ids:
        return {}
    return {tenant.pk: tenant for tenant in Tenant.objects.filter(pk__in=ids)}


@dataclass(frozen=True)
class Tally:
    key: str
    count: int
    share: float  # of the largest count, 0..1, for the bar widths


def _tallies(counter: Counter[str]) -> list[Tally]:
    peak = max(counter.values(), default=0)
    return [
        Tally(key, count, count / peak if peak else 0.0)
        for key, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    ]


@dataclass(frozen=True)
class FindingsReport:
    total: int
    per_article: list[Tally]
    per_brand: list[Tally]  # keys are tenant ids as text
    per_week: list[tuple[date, int]]  # oldest first, every week of the period


def findings_report(rows: Iterable[FindingCount], *, weeks: list[date]) -> FindingsReport:
    """`compliance.selectors.findings_per_week_all_brands` summed per article, brand and week,
    over `weeks` (Mondays, oldest first): rows of earlier weeks are left out of every sum."""
    per_article: Counter[str] = Counter()
    per_brand: Counter[str] = Counter()
    per_week: Counter[date] = Counter()
    for row in rows:
        if weeks and row.week < weeks[0]:
            continue
        per_article[row.reference or "—"] += row.count
        per_brand[str(row.tenant_id)] += row.count
        per_week[row.week] += row.count
    return FindingsReport(
        total=sum(per_article.values()),
        per_article=_tallies(per_article),
        per_brand=_tallies(per_brand),
        per_week=[(week, per_week.get(week, 0)) for week in weeks],
    )
