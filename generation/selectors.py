"""Reads of brand kits, catalog, jobs, renders and assets, always within one brand."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import redis
from django.conf import settings
from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum

from generation.models import LANE_PRIORITY, Asset, Job, Product, ProductPhoto, Render
from tenants.models import Tenant


def product_list(*, tenant: Tenant, search: str = "") -> QuerySet[Product]:
    products = Product.objects.filter(tenant=tenant)
    if search:
        products = products.filter(Q(sku__icontains=search) | Q(title__icontains=search))
    return products.prefetch_related(
        Prefetch("photos", queryset=ProductPhoto.objects.filter(tenant=tenant))
    ).order_by("-created_at", "-id")


def product_get(*, tenant: Tenant, product_id: int) -> Product:
    return product_list(tenant=tenant).get(pk=product_id)


@dataclass(frozen=True)
class JobFilters:
    status: str = ""
    lane: str = ""
    channel: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None


def job_list(*, tenant: Tenant, filters: JobFilters | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(tenant=tenant)
    if filters is not None:
        if filters.status:
            jobs = jobs.filter(status=filters.status)
        if filters.lane:
            jobs = jobs.filter(lane=filters.lane)
        if filters.channel:
            jobs = jobs.filter(channels__contains=[filters.channel])
        if filters.created_after:
            jobs = jobs.filter(created_at__gte=filters.created_after)
        if filters.created_before:
            jobs = jobs.filter(created_at__lt=filters.created_before)
    return jobs.annotate(
        renders_total=Count("renders"),
        renders_done=Count("renders", filter=Q(renders__status=Render.Status.DONE)),
        renders_failed=Count("renders", filter=Q(renders__status=Render.Status.FAILED)),
        renders_cached=Count("renders", filter=Q(renders__is_cache_hit=True)),
    ).order_by("-created_at", "-id")


@dataclass(frozen=True)
class JobProgress:
    total: int
    done: int
    failed: int
    cancelled: int
    pending: int
    cache_hits: int
    queue_position: int | None  # renders of other jobs ahead in the broker, while waiting
    first_render_ms: float | None  # submit → first finished render
    finished_ms: float | None  # submit → job finished
    render_ms_p50: float | None


def job_progress(*, tenant: Tenant, job: Job) -> JobProgress:
    renders = Render.objects.filter(tenant=tenant, job=job)
    counts = dict.fromkeys(Render.Status.values, 0)
    counts.update(dict(renders.values_list("status").annotate(n=Count("id")).order_by()))
    stats = renders.aggregate(
        cache_hits=Count("id", filter=Q(is_cache_hit=True)), first=Min("finished_at")
    )
    total = sum(counts.values()) or len(job.channels) * job.variants
    pending = counts[Render.Status.PENDING] if job.planned_at else total
    totals = sorted(
        ms
        for ms in renders.filter(status=Render.Status.DONE).values_list("timings__total", flat=True)
        if ms is not None
    )
    return JobProgress(
        total=total,
        done=counts[Render.Status.DONE],
        failed=counts[Render.Status.FAILED],
        cancelled=counts[Render.Status.CANCELLED],
        pending=pending,
        cache_hits=stats["cache_hits"],
        queue_position=_queue_position(job, pending) if not job.is_finished else None,
        first_render_ms=_ms_since(job.created_at, stats["first"]),
        finished_ms=_ms_since(job.created_at, job.finished_at),
        render_ms_p50=float(totals[len(totals) // 2]) if totals else None,
    )


def _ms_since(start: datetime, end: datetime | None) -> float | None:
    return round((end - start).total_seconds() * 1000, 1) if end else None


def _queue_position(job: Job, pending: int) -> int:
    """Messages waiting on the render queue at this job's priority or a higher one, less its own.

    An estimate read from the broker (one round trip): other brands' work is counted, never
    shown, and the number is only an order of magnitude for "how long will I wait".
    """
    priority = LANE_PRIORITY[Job.Lane(job.lane)]
    client = _broker()
    separator = "\x06\x16"
    names = ["render" if step == 0 else f"render{separator}{step}" for step in (0, 3, 6, 9)]
    steps = [name for name, step in zip(names, (0, 3, 6, 9), strict=True) if step <= priority]
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in steps:
                pipe.llen(name)
            waiting = sum(int(n) for n in pipe.execute())
    except redis.RedisError:
        return 0
    return max(0, waiting - pending)


@cache
def _broker() -> redis.Redis:
    # One connection pool per process: the job page asks for the position every second.
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1)


def render_list(*, tenant: Tenant, job: Job) -> QuerySet[Render]:
    return (
        Render.objects.filter(tenant=tenant, job=job)
        .select_related("asset")
        .order_by("channel", "variant")
    )


def render_compliance_counts(*, tenant: Tenant, job: Job) -> dict[str, int]:
    """The job's renders per ad-law review state (every state present, 0 when none)."""
    counts = dict.fromkeys(Render.ComplianceState.values, 0)
    rows = (
        Render.objects.filter(tenant=tenant, job=job)
        .values_list("compliance_state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update({state: n for state, n in rows})
    return counts


@dataclass(frozen=True)
class JobDuplicates:
    redraws: int  # draws thrown away as near-duplicates (each cost a render)
    delivered: int  # renders delivered although still near-duplicates of an image
    copy: int  # renders whose copy nearly repeats earlier copy of the brand
    rate: float | None  # delivered / done renders


def job_duplicates(*, tenant: Tenant, job: Job) -> JobDuplicates:
    """The job's near-duplicate record (library.dedup): what was redrawn, what got through."""
    stats = Render.objects.filter(tenant=tenant, job=job).aggregate(
        redraws=Sum("redraws", default=0),
        delivered=Count("id", filter=Q(status=Render.Status.DONE, duplicate__kind="image")),
        copy=Count("id", filter=Q(duplicate__has_key="copy")),
        done=Count("id", filter=Q(status=Render.Status.DONE)),
    )
    rate = round(stats["delivered"] / stats["done"], 4) if stats["done"] else None
    return JobDuplicates(stats["redraws"], stats["delivered"], stats["copy"], rate)


def asset_list(*, tenant: Tenant) -> QuerySet[Asset]:
    return Asset.objects.filter(tenant=tenant).order_by("-created_at", "-id")
