"""What a brand does with labels: label an image made elsewhere, accept the labelling duty,
take a poster without its visible label, and choose its labelling settings."""

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from generation import assets, brand_kits, rendering
from generation.backends.image.base import OutputFormat
from generation.images import image_decode
from generation.models import Asset, Render
from library import index as library_index
from provenance import labelling
from provenance.models import LabellingDutyAcceptance, ProvenanceSettings, UnlabelledExport
from provenance.visible_label import draw_label, label_text_for
from tenants.audit import audit_record
from tenants.models import ApiKey, Tenant

# Bump when the text the member accepts changes: everyone accepts the new text again.
TERMS_VERSION = "2026-12"
MAX_LABEL_BYTES = 20 * 1024 * 1024
_FORMATS = {"JPEG": OutputFormat.JPEG, "PNG": OutputFormat.PNG, "WEBP": OutputFormat.WEBP}
_EXTENSIONS = {OutputFormat.JPEG: "jpg", OutputFormat.WEBP: "webp", OutputFormat.PNG: "png"}


class LabellingDutyNotAccepted(Exception):
    """The member has not accepted the labelling duty of the current terms."""


class NotExportable(Exception):
    """The asset cannot be handed out without its label (the message says why)."""


@dataclass(frozen=True)
class ExportedFile:
    data: bytes
    content_type: str
    filename: str


def provenance_settings(*, tenant: Tenant) -> ProvenanceSettings:
    found = ProvenanceSettings.objects.filter(tenant=tenant).first()
    return found if found is not None else ProvenanceSettings(tenant=tenant)


@transaction.atomic
def provenance_settings_update(
    *, tenant: Tenant, actor: User, copy_label_position: str, public_disclosure: bool
) -> ProvenanceSettings:
    current, _ = ProvenanceSettings.objects.select_for_update().get_or_create(tenant=tenant)
    current.copy_label_position = copy_label_position
    current.public_disclosure = public_disclosure
    current.updated_by = actor
    current.updated_at = timezone.now()
    current.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        action="provenance.settings_updated",
        target=current,
        data={"copy_label_position": copy_label_position, "public_disclosure": public_disclosure},
    )
    return current


def label_upload(
    *,
    tenant: Tenant,
    data: bytes,
    filename: str,
    actor: User | None,
    api_key: ApiKey | None = None,
    language: str | None = None,
) -> tuple[Asset, bool]:
    """Label an image the brand made elsewhere: the visible label, the metadata and the
    watermark, stored as one of the brand's assets. The same upload labelled again returns
    the asset it made the first time (False); in another language it is another asset.
    Raises generation.images.ImageRejected."""
    source_sha = hashlib.sha256(data).hexdigest()
    language = language or brand_kits.brand_kit_current(tenant=tenant).language
    text = label_text_for(language)
    key = hashlib.sha256(f"labelled:{text}:{source_sha}".encode()).hexdigest()
    existing = Asset.objects.filter(tenant=tenant, render_key=key).first()
    if existing is not None:  # these very bytes were checked and labelled before: no decode
        return existing, False
    pixels, source_format = image_decode(data, purpose="label", max_bytes=MAX_LABEL_BYTES)
    output_format = _FORMATS[source_format]
    with transaction.atomic():
        receipt = {
            "labelled": {"source_sha256": source_sha, "filename": filename[:200]},
            "size": [pixels.width, pixels.height],
        }
        asset, created = assets.asset_reserve(
            tenant_id=tenant.pk, key=key, receipt=receipt, origin=Asset.Origin.LABELLED
        )
        if not created:
            return asset, False
        marked = labelling.mark(
            draw_label(pixels, text),
            output_format=output_format,
            asset_id=asset.pk,
            title=filename[:200] or f"asset {asset.pk}",
            composite=False,
            visible_label=text,
            generator="labelled on request",
        )
        assets.asset_fill(asset, marked, extension=_EXTENSIONS[output_format])
        asset.name = filename[:200]
        library_index.asset_index(asset)  # fingerprinted and searchable like every stored image
        audit_record(
            tenant=tenant,
            actor=actor,
            api_key=api_key,
            action="provenance.image_labelled",
            target=asset,
            data={"filename": filename[:200], "source_sha256": source_sha},
        )
    return asset, True


def labelling_duty_current(*, tenant: Tenant, user: User) -> LabellingDutyAcceptance | None:
    return LabellingDutyAcceptance.objects.filter(
        tenant=tenant, user=user, terms_version=TERMS_VERSION
    ).first()


@transaction.atomic
def labelling_duty_accept(
    *, tenant: Tenant, user: User, ip_address: str | None, user_agent: str
) -> LabellingDutyAcceptance:
    acceptance, created = LabellingDutyAcceptance.objects.get_or_create(
        tenant=tenant,
        user=user,
        terms_version=TERMS_VERSION,
        defaults={"ip_address": ip_address, "user_agent": user_agent[:300]},
    )
    if created:
        audit_record(
            tenant=tenant,
            actor=user,
            action="provenance.duty_accepted",
            target=acceptance,
            data={"terms_version": TERMS_VERSION},
        )
    return acceptance


def unlabelled_export(
    *, tenant: Tenant, user: User, render_id: int, ip_address: str | None, user_agent: str
) -> ExportedFile:
    """The render's poster without the visible label, still carrying the metadata, the
    watermark and the C2PA manifest, logged for the regulator (办法 Art. 9).

    Raises Render.DoesNotExist for another brand's render (or none), LabellingDutyNotAccepted
    when the member has not accepted the current terms, and NotExportable when the render is
    not released or cannot be drawn again exactly.
    """
    render = Render.objects.select_related("asset", "job__brand_kit", "job__tenant", "product").get(
        tenant=tenant, pk=render_id
    )
    acceptance = labelling_duty_current(tenant=tenant, user=user)
    if acceptance is None:
        raise LabellingDutyNotAccepted(
            "Accept the labelling duty first: you must label this file wherever you publish it."
        )
    asset = render.asset
    if asset is None or render.status != Render.Status.DONE:
        raise NotExportable("This render has no finished poster.")
    if not render.is_released:
        raise NotExportable("This poster is held or rejected in ad-law review.")
    try:
        image, composite = rendering.render_again(render, visible_label=False)
    except rendering.NotReproducible as error:
        raise NotExportable(str(error)) from None
    output_format = image.output_format
    marked = labelling.mark(
        image.image,
        output_format=output_format,
        asset_id=asset.pk,
        title=f"{tenant.name} · {render.channel} #{render.variant}",
        composite=composite,
        visible_label="",
        generator=f"{asset.receipt.get('image_backend', {}).get('name', '')}",
    )
    with transaction.atomic():
        export = UnlabelledExport.objects.create(
            tenant=tenant,
            asset=asset,
            acceptance=acceptance,
            user=user,
            ip_address=ip_address,
            user_agent=user_agent[:300],
            sha256=marked.sha256,
        )
        audit_record(
            tenant=tenant,
            actor=user,
            action="provenance.unlabelled_exported",
            target=export,
            data={"asset_id": asset.pk, "render_id": render.pk, "sha256": marked.sha256},
        )
    filename = (
        f"job{render.job_id}-{render.channel}-{render.variant + 1}-unlabelled."
        f"{_EXTENSIONS[output_format]}"
    )
    return ExportedFile(data=marked.data, content_type=marked.content_type, filename=filename)
