"""One render: build the spec, reuse an identical stored asset or render and store a new one.

Exactly once per render row: the row is locked for the whole render and its status checked
first, so a redelivered or duplicated task finds it done and does nothing; a worker killed
mid-render rolls its transaction back and the row is pending again for the next delivery.
"""

import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from PIL import Image

from generation import assets, storage
from generation.backends import registry
from generation.backends.image.base import (
    ImageBackendError,
    OutputFormat,
    Palette,
    PriceTag,
    RenderedImage,
    RenderSpec,
)
from generation.backends.text.base import Copy
from generation.channels import channel_get
from generation.models import Asset, BrandKit, Job, Product, ProductPhoto, Render
from library import colours, copy_hashes, dedup, image_hashes
from library import index as library_index
from provenance import fingerprint, labelling

logger = logging.getLogger(__name__)

_EXTENSIONS = {OutputFormat.JPEG: "jpg", OutputFormat.WEBP: "webp", OutputFormat.PNG: "png"}


class Outcome(StrEnum):
    RENDERED = "rendered"
    CACHE_HIT = "cache_hit"
    FAILED = "failed"
    SKIPPED = "skipped"  # not pending: done already, cancelled, or a duplicate delivery


class RetryableRenderError(Exception):
    """The backend failed in a way that may pass on a later attempt (timeouts, 429, 5xx)."""


@dataclass(frozen=True)
class _Inputs:
    spec: RenderSpec
    photo: ProductPhoto | None
    logo_key: str


@lru_cache(maxsize=32)
def _stored_bytes(key: str, sha256: str | None = None) -> bytes:
    """A stored input's bytes, checked against the digest recorded when it was uploaded.

    Keys are content-addressed (see storage.py), so a key's bytes never change and caching them
    per process is safe; a damaged object fails its check and is never cached.
    """
    try:
        data = storage.read_bytes(key)
    except FileNotFoundError as error:
        raise ImageBackendError(f"The stored file {key} is missing.") from error
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise ImageBackendError(f"The stored file {key} is damaged (its checksum differs).")
    return data


def _first_photo(product: Product | None) -> ProductPhoto | None:
    if product is None:
        return None
    return (
        ProductPhoto.objects.filter(tenant_id=product.tenant_id, product=product)
        .order_by("position", "id")
        .first()
    )


def _price_tag(product: Product | None) -> PriceTag | None:
    if product is None or product.price is None:
        return None
    return PriceTag(
        price=product.price,
        currency=product.currency,
        reference_price=product.reference_price,
        reference_basis=product.reference_price_basis,
    )


def _reference(job: Job, kit: BrandKit) -> tuple[Palette, bytes | None]:
    """The palette and background image a job's library reference gives its posters: as a
    background, the image itself; as a style reference, a palette of its dominant colours."""
    palette = Palette(**kit.palette)
    reference = job.reference_asset
    if reference is None:
        return palette, None
    if job.reference_use == "style" and reference.colours:
        swatches = [colours.Swatch.from_json(swatch) for swatch in reference.colours]
        return Palette(**colours.palette_from_swatches(swatches)), None
    if job.reference_use == "background":
        return palette, _stored_bytes(reference.file.name or "", reference.sha256)
    return palette, None


def _inputs(render: Render, job: Job, kit: BrandKit) -> _Inputs:
    channel = channel_get(render.channel)
    photo = _first_photo(render.product)
    language = kit.language
    palette, background = _reference(job, kit)
    spec = RenderSpec(
        width=render.width,
        height=render.height,
        channel=render.channel,
        layout=render.layout,
        copy=Copy.from_json(render.copy),
        palette=palette,
        brand_name=job.tenant.name,
        seed=render.seed,
        font_family=kit.font_family,
        language=language,
        safe_zone=channel.safe_zone,
        product_image=_stored_bytes(photo.file.name or "", photo.sha256) if photo else None,
        logo_image=_stored_bytes(kit.logo.name or "") if kit.logo else None,
        background_image=background,
        price=_price_tag(render.product),
        output_format=OutputFormat(job.output_format),
        ai_label_text="AI生成" if language == "zh" else "AI-generated",
    )
    return _Inputs(spec=spec, photo=photo, logo_key=kit.logo.name or "")


def _compliance_record(render: Render) -> dict[str, Any]:
    """The ad-law check of the render's copy, as its asset's receipt records it."""
    record = render.compliance or {}
    return {
        "verdict": render.compliance_verdict or None,
        "findings": record.get("findings", []),
        "citations": record.get("citations", []),
        "rewrites": record.get("rewrites", 0),
    }


def render_key(
    *,
    backend: str,
    version: str,
    kit: BrandKit,
    inputs: _Inputs,
    compliance: dict[str, Any] | None = None,
) -> str:
    """The digest of everything that decides the pixels: equal keys give equal images.

    The copy's compliance record is part of it too (it does not change a pixel, but the
    receipt stored with the asset states it, and a receipt must be true of every render that
    reuses the asset): a new rule set renders again rather than reuse an asset whose receipt
    names the old one.
    """
    spec = inputs.spec
    decisive = {
        "backend": backend,
        "version": version,
        "brand_kit_version": kit.version,
        "size": [spec.width, spec.height],
        "channel": spec.channel,
        "layout": spec.layout,
        "seed": spec.seed,
        "copy": spec.copy.as_json(),
        "photo": inputs.photo.sha256 if inputs.photo else None,
        "logo": inputs.logo_key,
        "price": [
            str(spec.price.price),
            str(spec.price.reference_price),
            spec.price.reference_basis,
        ]
        if spec.price
        else None,
        "format": str(spec.output_format),
        "label": spec.ai_label_text,
    }
    if compliance is not None:
        decisive["compliance"] = compliance
    # A library reference (only then, so that keys of jobs without one stay as they were).
    if spec.palette != Palette(**kit.palette):
        decisive["palette"] = dataclasses.asdict(spec.palette)
    if spec.background_image is not None:
        decisive["background"] = hashlib.sha256(spec.background_image).hexdigest()
    body = json.dumps(decisive, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def render_execute(*, tenant_id: int, render_id: int) -> Outcome:
    """Render one pending render and record it; anything else is a no-op.

    Must run inside the caller's tenant_scope transaction (the row lock lives as long as it).
    Raises RetryableRenderError for transient backend failures; every other failure is
    recorded on the row as `failed` with its reason, so the job's other renders go on.
    """
    started = time.perf_counter()
    render = (
        Render.objects.select_for_update(of=("self",))
        .select_related("job", "job__brand_kit", "job__tenant", "job__reference_asset", "product")
        .filter(tenant_id=tenant_id, pk=render_id)
        .first()
    )
    if render is None or render.status != Render.Status.PENDING:
        return Outcome.SKIPPED
    job = render.job
    if job.status == Job.Status.CANCELLED:
        _settle(render, status=Render.Status.CANCELLED)
        return Outcome.SKIPPED
    render.attempts += 1
    kit = job.brand_kit
    timings: dict[str, float] = {}
    if render.enqueued_at:
        timings["queue_wait"] = (timezone.now() - render.enqueued_at).total_seconds() * 1000
    try:
        inputs = _inputs(render, job, kit)
        backend = registry.image_backend(job.image_backend)
        compliance = {
            "ruleset_version": render.ruleset_version or None,
            **_compliance_record(render),
        }
        key = render_key(
            backend=backend.name, version=backend.version, kit=kit, inputs=inputs,
            compliance=compliance,
        )  # fmt: skip
        asset = Asset.objects.filter(tenant_id=tenant_id, render_key=key).first()
        if asset is not None and dedup.asset_banned(tenant_id=tenant_id, asset_id=asset.pk):
            asset = None  # put in a do-not-reuse bank since: never delivered again
        if asset is not None:
            render.is_cache_hit = True
            render.layout = asset.receipt.get("layout", render.layout)
        else:
            headline_bits, copy_match = _copy_check(render, timings)
            if copy_match is not None and copy_match.bank_entry_id is not None:
                _settle(
                    render, status=Render.Status.FAILED, error=_BANNED_COPY, timings=timings,
                    duplicate={"copy": copy_match.as_json()},
                )  # fmt: skip
                return Outcome.FAILED
            drawn = _draw_distinct(render, job, inputs, backend, timings, headline_bits)
            if copy_match is not None:
                render.duplicate = {**render.duplicate, "copy": copy_match.as_json()}
            if drawn.verdict.banned:
                _settle(
                    render, status=Render.Status.FAILED, error=_BANNED, timings=timings,
                    duplicate=drawn.verdict.as_json(),
                )  # fmt: skip
                return Outcome.FAILED
            image, inputs = drawn.image, drawn.inputs
            if drawn.redraws:
                render.seed, render.layout = inputs.spec.seed, inputs.spec.layout
                key = render_key(
                    backend=backend.name, version=backend.version, kit=kit, inputs=inputs,
                    compliance=compliance,
                )  # fmt: skip
            receipt = _receipt(
                backend=backend.name,
                version=backend.version,
                kit=kit,
                render=render,
                inputs=inputs,
                layout="",
                key=key,
            )
            with transaction.atomic():  # a failure below leaves no asset row behind
                asset, created = assets.asset_reserve(tenant_id=tenant_id, key=key, receipt=receipt)
                if created:
                    timings.update(image.timings_ms)
                    marked = labelling.mark(
                        image.image,
                        output_format=inputs.spec.output_format,
                        asset_id=asset.pk,
                        title=f"{job.tenant.name} · {render.channel} #{render.variant}",
                        composite=inputs.photo is not None,
                        visible_label=inputs.spec.ai_label_text,
                        generator=f"{backend.name} {backend.version}",
                        print_=fingerprint.Fingerprint(
                            bits=drawn.signature.pdq, quality=drawn.signature.quality
                        ),
                    )
                    timings.update(marked.timings_ms)
                    indexed_at = time.perf_counter()
                    asset.receipt = {**receipt, "layout": image.layout}
                    # Sets the row's library fields, which asset_fill saves with the rest.
                    library_index.poster_index(
                        asset, signature=drawn.signature, small=drawn.small, copy=render.copy,
                        product=render.product, duplicate=drawn.verdict,
                    )  # fmt: skip
                    stored_at = time.perf_counter()
                    timings["index"] = (stored_at - indexed_at) * 1000
                    assets.asset_fill(
                        asset, marked, extension=_EXTENSIONS[inputs.spec.output_format]
                    )
                    timings["store"] = (time.perf_counter() - stored_at) * 1000
                else:
                    render.is_cache_hit = True
            render.layout = asset.receipt.get("layout", render.layout)
    except ImageBackendError as error:
        if error.retryable:
            raise RetryableRenderError(str(error)) from error
        _settle(render, status=Render.Status.FAILED, error=str(error), timings=timings)
        return Outcome.FAILED
    except Exception as error:  # a bug must fail this render, not the job's other renders
        logger.exception("render.crashed", extra={"tenant_id": tenant_id, "render_id": render_id})
        reason = f"The render failed unexpectedly ({type(error).__name__}); it can be retried."
        _settle(render, status=Render.Status.FAILED, error=reason, timings=timings)
        return Outcome.FAILED
    render.asset = asset
    timings["total"] = (time.perf_counter() - started) * 1000
    _settle(render, status=Render.Status.DONE, timings=timings, duplicate=render.duplicate)
    return Outcome.CACHE_HIT if render.is_cache_hit else Outcome.RENDERED


_BANNED = (
    "Every draw of this poster came too close to an entry of one of the brand's do-not-reuse "
    "banks, so it was not delivered (and not charged)."
)
_BANNED_COPY = (
    "This variant's copy is too close to copy in one of the brand's do-not-reuse banks, so it "
    "was not drawn (and not charged)."
)


@dataclass(frozen=True)
class _Drawn:
    image: RenderedImage
    inputs: _Inputs  # with the seed the delivered draw used
    signature: image_hashes.ImageSignature
    small: Image.Image  # the delivered draw through fingerprint.shrink (hashed, indexed)
    verdict: dedup.Verdict  # what the delivered draw is still too close to (clear: nothing)
    redraws: int


def _copy_check(render: Render, timings: dict[str, float]) -> tuple[str, dedup.CopyMatch | None]:
    """Fingerprint the render's copy and find what it nearly repeats (library.dedup); returns
    the headline's fingerprint, which decides between near pictures, and the match."""
    checked_at = time.perf_counter()
    bits = copy_hashes.simhash(copy_hashes.copy_text(render.copy))
    headline = copy_hashes.simhash(copy_hashes.headline_text(render.copy))
    match = dedup.copy_check(tenant_id=render.tenant_id, render_id=render.pk, bits=bits)
    dedup.copy_store(tenant_id=render.tenant_id, render_id=render.pk, bits=bits, headline=headline)
    timings["dedup"] = timings.get("dedup", 0.0) + (time.perf_counter() - checked_at) * 1000
    return headline, match


def _draw_distinct(
    render: Render, job: Job, inputs: _Inputs, backend: Any, timings: dict[str, float],
    headline_bits: str,
) -> _Drawn:  # fmt: skip
    """Draw the poster, and draw it again while it is a near-duplicate of the brand's library,
    the job's other renders or a bank entry (library.dedup), at most APP_DEDUP_MAX_REDRAWS
    times: each redraw takes another seed and the next layout (of the kit's preferred ones
    that suit the channel, else of all that do). Another seed alone changes little more than
    the backdrop, which stays a near-duplicate three times in four (bench/dedup_pairs.py)."""
    draws = dedup.max_redraws() + 1
    spec = inputs.spec
    suited = backend.layouts(width=spec.width, height=spec.height)
    layouts = [name for name in job.brand_kit.preferred_layouts if name in suited] or suited
    first_layout = ""
    for draw in range(draws):
        if draw:
            start = layouts.index(first_layout) if first_layout in layouts else 0
            spec = dataclasses.replace(
                spec,
                seed=dedup.redraw_seed(render.seed, draw),
                layout=layouts[(start + draw) % len(layouts)] if layouts else spec.layout,
            )
            inputs = dataclasses.replace(inputs, spec=spec)
        image = backend.render(inputs.spec)
        first_layout = first_layout or image.layout
        checked_at = time.perf_counter()
        # A poster is drawn whole, never cut from a stored image, so it is compared by its
        # full and central hashes alone: the crop guesses of a query (15 ms) find nothing here.
        small = fingerprint.shrink(image.image)
        signature = image_hashes.signature(small)
        verdict = dedup.image_check(
            tenant_id=render.tenant_id, job_id=job.pk, query=signature, headline_bits=headline_bits,
            product_id=render.product_id,
        )  # fmt: skip
        timings["dedup"] = timings.get("dedup", 0.0) + (time.perf_counter() - checked_at) * 1000
        if verdict.clear:
            break
    render.redraws = draw
    render.duplicate = verdict.as_json()
    return _Drawn(image, inputs, signature, small, verdict, draw)


class NotReproducible(Exception):
    """The render's inputs changed since its asset was drawn (a new logo file, a deleted photo):
    drawing it again would not give the asset's pixels."""


def render_again(render: Render, *, visible_label: bool) -> tuple[RenderedImage, bool]:
    """Draw a done render's poster again from its inputs, optionally without the visible AI
    label (an unlabelled export); also whether a product photo is composed in.

    Raises NotReproducible when the inputs no longer give the stored asset's render key.
    """
    job = render.job
    kit = job.brand_kit
    inputs = _inputs(render, job, kit)
    backend = registry.image_backend(job.image_backend)
    compliance = {"ruleset_version": render.ruleset_version or None, **_compliance_record(render)}
    # A render that let the backend choose its layout was keyed with an empty one; the row
    # records the layout chosen since, which draws the same poster.
    unchosen = dataclasses.replace(inputs, spec=dataclasses.replace(inputs.spec, layout=""))
    keys = {
        render_key(
            backend=backend.name, version=backend.version, kit=kit, inputs=i, compliance=compliance
        )
        for i in (inputs, unchosen)
    }
    if render.asset is None or render.asset.render_key not in keys:
        raise NotReproducible(
            "This poster's inputs have changed since it was made, so it cannot be drawn again "
            "exactly; generate it anew instead."
        )
    spec = dataclasses.replace(inputs.spec, ai_label_visible=visible_label)
    return backend.render(spec), inputs.photo is not None


def _settle(
    render: Render, *, status: str, error: str = "", timings: dict[str, float] | None = None,
    duplicate: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    render.status = status
    render.error = error[:2000]
    if duplicate is not None:
        render.duplicate = duplicate
    render.finished_at = timezone.now()
    if timings is not None:
        render.timings = {name: round(ms, 2) for name, ms in timings.items()}
    render.save(
        update_fields=[
            "status", "error", "finished_at", "timings", "attempts", "asset", "is_cache_hit",
            "layout", "seed", "redraws", "duplicate",
        ]
    )  # fmt: skip


def render_fail(*, tenant_id: int, render_id: int, reason: str) -> None:
    """Record that a render gave up after its retries (the task calls this)."""
    render = (
        Render.objects.select_for_update()
        .filter(tenant_id=tenant_id, pk=render_id, status=Render.Status.PENDING)
        .first()
    )
    if render is not None:
        render.attempts += 1
        _settle(render, status=Render.Status.FAILED, error=reason)


def _receipt(
    *,
    backend: str,
    version: str,
    kit: BrandKit,
    render: Render,
    inputs: _Inputs,
    layout: str,
    key: str,
) -> dict[str, Any]:
    """What "render again" needs to give the same pixels with the built-in backends."""
    job = render.job
    text = registry.text_backend(job.text_backend)
    return {
        "image_backend": {"name": backend, "version": version},
        "text_backend": {"name": text.name, "version": text.version},
        "seed": render.seed,
        "job_seed": job.seed,
        "channel": render.channel,
        "size": [render.width, render.height],
        "layout": layout,
        "brand_kit_version": kit.version,
        "copy": render.copy,
        "product_id": render.product_id,
        "product_photo_sha256": inputs.photo.sha256 if inputs.photo else None,
        "output_format": job.output_format,
        "rule_set_version": render.ruleset_version or None,  # None: rendered before the check
        "compliance": _compliance_record(render),
        "render_key": key,
    }
