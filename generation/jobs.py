"""Jobs from request to finish: create (idempotent), plan (copy + renders), finalise, cancel,
retry, clone. PostgreSQL rows are the truth; Celery messages only say "look at this row"."""

import hashlib
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from billing import ledger, pricing
from compliance import pipeline as compliance_pipeline
from compliance.moderation import moderation_refunds_settle
from generation import analysis as script_analysis
from generation import tasks
from generation.analysis.types import ScriptAnalysis
from generation.backends import registry
from generation.backends.image.base import OutputFormat
from generation.backends.text.base import BrandVoice, CopyRequest, ProductBrief
from generation.brand_kits import brand_kit_current
from generation.channels import UnknownChannel, channel_get
from generation.models import LANE_PRIORITY, Asset, Job, Product, Render
from library import dedup
from tenants.audit import audit_record
from tenants.models import ApiKey, Tenant
from webhooks.services import event_publish

logger = logging.getLogger(__name__)

MAX_SCRIPT_CHARS = 20_000
MAX_VARIANTS = 200
MAX_CHANNELS = 10
MAX_PRODUCTS = 50


REFERENCE_USES = ("background", "style")


@dataclass(frozen=True)
class JobRequest:
    script: str = ""
    product_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    variants: int = 4
    text_backend: str = "builtin"
    image_backend: str = "compositor"
    seed: int | None = None
    lane: str = Job.Lane.INTERACTIVE
    output_format: str = OutputFormat.JPEG
    # A library image: the posters' background, or whose colours become their palette.
    reference_asset_id: int | None = None
    reference_use: str = ""  # "background" or "style"

    def fingerprint(self) -> str:
        body = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request body."""


class JobStateError(Exception):
    """The job is in a state that does not allow this action (e.g. cancelling a finished job)."""


def _shape_errors(request: JobRequest) -> dict[str, str]:
    """What is wrong with the request's channels, variants and backends (what prices a job)."""
    errors: dict[str, str] = {}
    if not request.channels:
        errors["channels"] = "Choose at least one channel."
    elif len(request.channels) > MAX_CHANNELS:
        errors["channels"] = f"Choose at most {MAX_CHANNELS} channels."
    elif len(set(request.channels)) != len(request.channels):
        errors["channels"] = "Each channel may appear once."
    else:
        for name in request.channels:
            try:
                channel_get(name)
            except UnknownChannel as error:
                errors["channels"] = str(error)
                break
    if not 1 <= request.variants <= MAX_VARIANTS:
        errors["variants"] = f"Variants must be between 1 and {MAX_VARIANTS}."
    if request.text_backend not in registry.text_backend_names():
        names = ", ".join(registry.text_backend_names())
        errors["text_backend"] = f"Unknown text backend {request.text_backend!r}; use {names}."
    if request.image_backend not in registry.image_backend_names():
        names = ", ".join(registry.image_backend_names())
        errors["image_backend"] = f"Unknown image backend {request.image_backend!r}; use {names}."
    return errors


def _validate(*, tenant: Tenant, request: JobRequest) -> None:
    errors = _shape_errors(request)
    script = request.script.strip()
    if not script and not request.product_ids:
        errors["script"] = "Give a script or at least one product id."
    if len(request.script) > MAX_SCRIPT_CHARS:
        errors["script"] = (
            f"The script has {len(request.script)} characters; the limit is {MAX_SCRIPT_CHARS}."
        )
    if request.lane not in Job.Lane.values:
        errors["lane"] = "The lane must be 'interactive' or 'bulk'."
    if request.output_format not in OutputFormat:
        errors["output_format"] = "The output format must be jpeg, webp or png."
    if request.seed is not None and not 0 <= request.seed < 2**63:
        errors["seed"] = "The seed must be a non-negative 63-bit integer."
    if len(request.product_ids) > MAX_PRODUCTS:
        errors["product_ids"] = f"Pick at most {MAX_PRODUCTS} products."
    elif request.product_ids:
        found = set(
            Product.objects.filter(tenant=tenant, pk__in=request.product_ids).values_list(
                "pk", flat=True
            )
        )
        missing = [str(pk) for pk in request.product_ids if pk not in found]
        if missing:
            errors["product_ids"] = f"No product with id {', '.join(missing)} in this brand."
    if request.reference_asset_id is not None:
        if request.reference_use not in REFERENCE_USES:
            errors["reference_use"] = "Use the reference image as 'background' or 'style'."
        elif not Asset.objects.filter(tenant=tenant, pk=request.reference_asset_id).exists():
            errors["reference_asset_id"] = (
                f"No library asset with id {request.reference_asset_id} in this brand."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def job_create(
    *,
    tenant: Tenant,
    user: User | None,
    request: JobRequest,
    api_key: ApiKey | None = None,
    idempotency_key: str | None = None,
    cloned_from: Job | None = None,
) -> tuple[Job, bool]:
    """Create a job and queue its planning after commit; returns (job, created).

    With an idempotency key, the same key and body return the first job (created=False) and the
    same key with another body raises IdempotencyConflict, however the requests interleave.
    """
    fingerprint = request.fingerprint()
    if idempotency_key:
        existing = _job_for_key(tenant=tenant, key=idempotency_key, fingerprint=fingerprint)
        if existing is not None:
            return existing, False
    _validate(tenant=tenant, request=request)
    price = job_estimate(tenant=tenant, request=request)
    lane = request.lane if pricing.lane_allowed(tenant=tenant, lane=request.lane) else Job.Lane.BULK
    try:
        with transaction.atomic():
            job = Job.objects.create(
                tenant=tenant,
                script=request.script.strip(),
                product_ids=list(request.product_ids),
                channels=list(request.channels),
                variants=request.variants,
                text_backend=request.text_backend,
                image_backend=request.image_backend,
                output_format=request.output_format,
                seed=request.seed if request.seed is not None else secrets.randbelow(2**62),
                lane=lane,
                brand_kit=brand_kit_current(tenant=tenant),
                idempotency_key=idempotency_key or None,
                request_fingerprint=fingerprint,
                cloned_from=cloned_from,
                reference_asset_id=request.reference_asset_id,
                reference_use=request.reference_use if request.reference_asset_id else "",
                created_by=user,
                api_key=api_key,
                render_prices={line.label: str(line.unit_credits) for line in price.lines},
                credits_reserved=price.credits,
            )
    except IntegrityError:
        # A concurrent request with the same key won the insert: answer as its retry would.
        existing = _job_for_key(tenant=tenant, key=idempotency_key or "", fingerprint=fingerprint)
        if existing is None:
            raise
        return existing, False
    # Raises InsufficientCredits (402) when short: the job row goes with the transaction.
    ledger.credit_reserve(
        tenant=tenant,
        reference=job.credit_reference,
        amount=price.credits,
        idempotency_key=f"reserve:job:{job.pk}",
    )
    audit_record(
        tenant=tenant,
        actor=user,
        api_key=api_key,
        action="job.created",
        target=job,
        data={
            "renders": len(job.channels) * job.variants,
            "lane": job.lane,
            "credits": str(price.credits),
        },
    )
    transaction.on_commit(lambda: tasks.job_plan.delay(tenant_id=tenant.pk, job_id=job.pk))
    return job, True


def job_estimate(
    *, tenant: Tenant, request: JobRequest, validate: bool = False
) -> pricing.Estimate:
    """The credits a job would cost (raises billing's PlanLimit for sizes the plan lacks).

    With `validate`, first checks the channels, variants and backends (ValidationError).
    """
    if validate and (errors := _shape_errors(request)):
        raise ValidationError(errors)
    hosted = registry.image_backend(request.image_backend).is_hosted
    groups = []
    for name in request.channels:
        channel = channel_get(name)
        groups.append(
            pricing.RenderGroup(
                label=name,
                width=channel.width,
                height=channel.height,
                count=request.variants,
                hosted=hosted,
            )
        )
    return pricing.estimate(tenant=tenant, groups=groups)


def _job_for_key(*, tenant: Tenant, key: str, fingerprint: str) -> Job | None:
    existing = Job.objects.filter(tenant=tenant, idempotency_key=key).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was used with a different request body; use a new key."
        )
    return existing


def job_request_of(job: Job) -> JobRequest:
    return JobRequest(
        script=job.script,
        product_ids=tuple(job.product_ids),
        channels=tuple(job.channels),
        variants=job.variants,
        text_backend=job.text_backend,
        image_backend=job.image_backend,
        seed=job.seed,
        lane=job.lane,
        output_format=job.output_format,
        reference_asset_id=job.reference_asset_id,
        reference_use=job.reference_use,
    )


def job_clone(
    *,
    tenant: Tenant,
    user: User | None,
    job_id: int,
    changes: dict[str, Any],
    api_key: ApiKey | None = None,
    idempotency_key: str | None = None,
) -> tuple[Job, bool]:
    """A new job with the source job's request, `changes` applied (a new seed unless given)."""
    source = Job.objects.get(tenant=tenant, pk=job_id)
    request = replace(job_request_of(source), seed=None, **changes)
    return job_create(
        tenant=tenant,
        user=user,
        request=request,
        api_key=api_key,
        idempotency_key=idempotency_key,
        cloned_from=source,
    )


def render_seed(job_seed: int, channel: str, variant: int) -> int:
    digest = hashlib.sha256(f"{job_seed}:{channel}:{variant}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _product_brief(product: Product) -> ProductBrief:
    return ProductBrief(
        title=product.title,
        category=product.category,
        description=product.description,
        attributes=tuple((str(k), str(v)) for k, v in product.attributes.items()),
        price=product.price,
        currency=product.currency,
    )


def _analyse(job: Job, products: Sequence[Product]) -> ScriptAnalysis:
    attributes = [str(value) for product in products for value in product.attributes.values()]
    text = job.script or "\n".join(f"{p.title}。{p.description}" for p in products)
    return script_analysis.analyse_script(text, product_attributes=attributes)


def job_plan(*, tenant_id: int, job_id: int) -> list[int]:
    """Analyse, write copy and create the job's renders; dispatch them after commit.

    Idempotent: a job that is not queued any more was planned (or cancelled) already, and
    planning it again returns []. Raises TextBackendError when copy cannot be written.
    """
    job = (
        Job.objects.select_for_update()
        .select_related("brand_kit")
        .get(tenant_id=tenant_id, pk=job_id)
    )
    if job.status != Job.Status.QUEUED:
        return []
    by_id = {p.pk: p for p in Product.objects.filter(tenant_id=tenant_id, pk__in=job.product_ids)}
    products = [by_id[pk] for pk in job.product_ids if pk in by_id]
    analysis = _analyse(job, products)
    kit = job.brand_kit
    request = CopyRequest(
        analysis=analysis,
        voice=BrandVoice(
            brand_name=job.tenant.name,
            tone=kit.tone_of_voice,
            banned_words=tuple(kit.banned_words),
            language=kit.language,
        ),
        products=[_product_brief(p) for p in products],
        seed=job.seed,
    )
    copies = registry.text_backend(job.text_backend).write(request, variants=job.variants)
    # The ad-law check of every copy: a blocked one is rewritten or dropped (not rendered), one
    # at review renders held; each render stores the checked copy it shows and the verdict.
    screening = compliance_pipeline.copy_screen(
        tenant=job.tenant, kit=kit, copies=copies, products=products
    )
    now = timezone.now()
    renders = []
    image_backend = registry.image_backend(job.image_backend)
    for channel_name in job.channels:
        channel = channel_get(channel_name)
        # A kit's preferred layouts apply to the channels whose shape they suit.
        suited = image_backend.layouts(width=channel.width, height=channel.height)
        preferred = [name for name in kit.preferred_layouts if name in suited]
        for variant, screened in screening.kept.items():
            renders.append(
                Render(
                    tenant_id=tenant_id,
                    job=job,
                    channel=channel_name,
                    variant=variant,
                    width=channel.width,
                    height=channel.height,
                    layout=_preferred_layout(preferred, variant),
                    seed=render_seed(job.seed, channel_name, variant),
                    product=products[variant % len(products)] if products else None,
                    enqueued_at=now,
                    **screened.render_fields(),
                )
            )
    Render.objects.bulk_create(renders)
    compliance_pipeline.screening_record(job=job, renders=renders, screening=screening)
    job.analysis = analysis.as_json()
    job.status = Job.Status.RUNNING
    job.planned_at = now
    job.variants_dropped = len(screening.dropped)
    job.compliance_summary = screening.summary()
    job.save(
        update_fields=["analysis", "status", "planned_at", "variants_dropped", "compliance_summary"]
    )
    if not renders:
        job_fail(
            tenant_id=tenant_id,
            job_id=job_id,
            reason="Every variant's copy stayed blocked by the ad-law check after "
            f"{settings.APP_COMPLIANCE_REWRITE_ROUNDS} automatic rewrite(s); nothing was rendered "
            "or charged. The job's compliance summary says why for each variant.",
        )
        return []
    render_ids = [render.pk for render in renders]
    _dispatch_after_commit(job, render_ids)
    return render_ids


def render_recopy(*, render: Render, copy: dict[str, Any]) -> None:
    """Give a locked render new copy (a reviewer's edit that passed the check) and render it
    again after commit, so its poster shows that text. Until then it has no asset, so the old
    poster cannot be taken as approved. Not charged again: the job's charge counts each render
    once, at the job's end."""
    render.copy = copy
    render.status = Render.Status.PENDING
    render.asset = None
    render.is_cache_hit = False
    render.error = ""
    render.finished_at = None
    render.enqueued_at = timezone.now()
    render.save(
        update_fields=[
            "copy", "status", "asset", "is_cache_hit", "error", "finished_at", "enqueued_at",
        ]
    )  # fmt: skip
    tenant_id, render_id = render.tenant_id, render.pk
    priority = LANE_PRIORITY[Job.Lane(render.job.lane)]
    transaction.on_commit(
        lambda: tasks.render_run.apply_async(
            kwargs={"tenant_id": tenant_id, "render_ids": [render_id]}, priority=priority
        )
    )


def _preferred_layout(preferred: Sequence[str], variant: int) -> str:
    # "" lets the image backend pick a layout from the render's seed.
    return preferred[variant % len(preferred)] if preferred else ""


def _dispatch_after_commit(job: Job, render_ids: list[int]) -> None:
    tenant_id, job_id, priority = job.tenant_id, job.pk, LANE_PRIORITY[Job.Lane(job.lane)]
    transaction.on_commit(
        lambda: tasks.renders_dispatch(
            tenant_id=tenant_id, job_id=job_id, render_ids=render_ids, priority=priority
        )
    )


def job_fail(*, tenant_id: int, job_id: int, reason: str) -> None:
    """Mark a job that could not be planned as failed (its copy could not be written)."""
    job = Job.objects.select_for_update().get(tenant_id=tenant_id, pk=job_id)
    if job.is_finished:
        return
    job.status = Job.Status.FAILED
    job.error = reason[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    ledger.credit_release(tenant=job.tenant, reference=job.credit_reference)
    _announce(job)


def job_finalize(*, tenant_id: int, job_id: int) -> Job | None:
    """Close a job whose renders are all settled; None while some are still pending.

    Safe to call any number of times: the chord callback calls it once all render tasks have
    reported, the stuck-render sweep calls it when the chord was lost with Redis.
    """
    job = Job.objects.select_for_update().get(tenant_id=tenant_id, pk=job_id)
    if job.is_finished or job.status == Job.Status.QUEUED:
        return None
    counts = render_counts(job)
    if counts[Render.Status.PENDING]:
        return None
    if counts[Render.Status.FAILED] == 0:
        job.status = Job.Status.SUCCEEDED
    elif counts[Render.Status.DONE]:
        job.status = Job.Status.PARTIALLY_FAILED
    else:
        job.status = Job.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    dedup.job_duplicates_flag(tenant_id=tenant_id, job_id=job_id)
    _charge_delivered(job)
    logger.info(
        "job.finished",
        extra={"tenant_id": tenant_id, "job_id": job_id, "status": job.status, **counts},
    )
    _announce(job)
    return job


def _charge_delivered(job: Job) -> None:
    """Charge the job's delivered renders not charged yet, then give back the rest of its hold.

    Runs under the job's row lock when the job ends (finalize, cancel), so a job is charged once
    per ending: the key counts the delivered renders, and a retry that delivers more charges
    only the difference at its own ending. Charging here rather than per render keeps the
    brand's account row out of every render's transaction (one write per job, no lock queue).
    """
    delivered = list(
        Render.objects.filter(
            tenant_id=job.tenant_id, job=job, status=Render.Status.DONE
        ).values_list("channel", flat=True)
    )
    price = sum((job.render_price(channel) for channel in delivered), ledger.ZERO)
    due = price - ledger.captured_total(tenant=job.tenant, reference=job.credit_reference)
    if due > 0:
        ledger.credit_capture(
            tenant=job.tenant,
            reference=job.credit_reference,
            amount=due,
            idempotency_key=f"capture:{job.credit_reference}:{len(delivered)}",
        )
    # Renders moderation rejected while the job ran were charged just now: give them back
    # (once per render, whoever refunds first).
    moderation_refunds_settle(job=job)
    ledger.credit_release(tenant=job.tenant, reference=job.credit_reference)


def render_counts(job: Job) -> dict[str, int]:
    counts = dict.fromkeys(Render.Status.values, 0)
    rows = (
        Render.objects.filter(tenant_id=job.tenant_id, job=job)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    counts.update({status: n for status, n in rows})
    return counts


def _announce(job: Job) -> None:
    """Tell the brand's webhook endpoints (see webhooks.services)."""
    counts = render_counts(job)
    event_type = "job.failed" if job.status == Job.Status.FAILED else "job.finished"
    event_publish(
        tenant=job.tenant,
        event_type=event_type,
        # One event per finish: a job retried and finished again announces again.
        idempotency_key=f"job:{job.pk}:{job.finished_at.isoformat() if job.finished_at else ''}",
        payload={
            "job": {
                "id": job.pk,
                "status": job.status,
                "renders": sum(counts.values()),
                "done": counts[Render.Status.DONE],
                "failed": counts[Render.Status.FAILED],
                "error": job.error,
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            }
        },
    )


@transaction.atomic
def job_cancel(*, tenant: Tenant, user: User | None, job_id: int) -> Job:
    """Stop a job: its pending renders are cancelled; finished renders and assets stay."""
    job = Job.objects.select_for_update().get(tenant=tenant, pk=job_id)
    if job.is_finished:
        raise JobStateError(
            f"The job is already {job.status}; only unfinished jobs can be cancelled."
        )
    Render.objects.filter(tenant=tenant, job=job, status=Render.Status.PENDING).update(
        status=Render.Status.CANCELLED, finished_at=timezone.now()
    )
    job.status = Job.Status.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    _charge_delivered(job)
    audit_record(tenant=tenant, actor=user, action="job.cancelled", target=job)
    return job


@transaction.atomic
def job_retry_failed(*, tenant: Tenant, user: User | None, job_id: int) -> list[int]:
    """Send a finished job's failed renders round again; returns their ids."""
    job = Job.objects.select_for_update().get(tenant=tenant, pk=job_id)
    if job.status not in (Job.Status.PARTIALLY_FAILED, Job.Status.FAILED):
        raise JobStateError(
            f"The job is {job.status}; only failed or partially failed jobs have renders to retry."
        )
    render_ids = list(
        Render.objects.filter(tenant=tenant, job=job, status=Render.Status.FAILED).values_list(
            "pk", flat=True
        )
    )
    if not render_ids:
        raise JobStateError("The job has no failed renders; its planning failed: clone it instead.")
    channels = Render.objects.filter(pk__in=render_ids).values_list("channel", flat=True)
    ledger.credit_reserve(
        tenant=tenant,
        reference=job.credit_reference,
        amount=sum((job.render_price(channel) for channel in channels), ledger.ZERO),
        idempotency_key=f"reserve:job:{job.pk}:retry:{secrets.token_hex(8)}",
    )
    Render.objects.filter(pk__in=render_ids).update(
        status=Render.Status.PENDING, error="", enqueued_at=timezone.now(), finished_at=None
    )
    job.status = Job.Status.RUNNING
    job.finished_at = None
    job.save(update_fields=["status", "finished_at"])
    audit_record(
        tenant=tenant,
        actor=user,
        action="job.retried",
        target=job,
        data={"renders": len(render_ids)},
    )
    _dispatch_after_commit(job, render_ids)
    return render_ids
