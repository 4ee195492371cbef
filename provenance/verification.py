"""Did this installation make (or label) this image, and what marks does it still carry?

Each mark is read on its own, then the strongest binding that survives names the asset: the
watermark (survives recompression, resizing and crops), the sealed TC260 metadata, the C2PA
manifest (both stripped by any re-encode), and last the PDQ fingerprint (finds the original
across the installation when the other marks are gone, as C2PA soft bindings do).

What a report shows about the asset depends on who asks: the brand that owns it sees its id and
job; anyone else (the public page, another brand) learns only whether and when, and the brand's
name only when the brand allows it.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from pgvector.django import HammingDistance

from generation.images import image_decode
from generation.models import Asset
from provenance import c2pa_manifest, fingerprint, metadata, watermark
from provenance.models import ProvenanceSettings, UnlabelledExport
from tenants.context import unscoped

MAX_VERIFY_BYTES = 30 * 1024 * 1024
_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Match:
    asset: Asset
    by: str  # "watermark", "metadata", "c2pa" or "fingerprint"


def verify(
    data: bytes, *, viewer_tenant_id: int | None = None, staff: bool = False
) -> dict[str, Any]:
    """The verification report of an image file. Raises generation.images.ImageRejected for
    anything that is not a readable PNG, JPEG or WebP within the limits.

    `viewer_tenant_id` is the brand asking (None: the public); `staff` (the operator's command)
    sees every detail.
    """
    pixels, source_format = image_decode(data, purpose="verify", max_bytes=MAX_VERIFY_BYTES)
    mime = _MIME[source_format]
    try:
        meta: metadata.MetadataReport | None = metadata.read(data)
    except metadata.MetadataError:  # Pillow read the pixels; the metadata segments are damaged
        meta = None
    try:
        manifest = c2pa_manifest.read(data, mime)
    except c2pa_manifest.ProvenanceFileError as error:
        manifest = {"error": str(error)}
    detection = watermark.detect(pixels)
    print_ = fingerprint.pdq(pixels)

    with unscoped(reason="provenance verification looks an image up across brands"):
        nearest = _nearest_asset(print_)
        match = _match(meta, manifest, detection, nearest)
        report = {
            "ai_label": {
                "visible": _visible(match, data),
                "metadata": meta.as_json() if meta is not None and meta.label is not None else None,
            },
            "c2pa": manifest,
            "watermark": {
                "found": detection.found,
                "ours": bool(
                    detection.payload is not None
                    and detection.payload.installation_id == settings.APP_WATERMARK_INSTALLATION_ID
                ),
                "installation_id": detection.payload.installation_id if detection.payload else None,
                "asset_id": detection.payload.asset_id if detection.payload else None,
                "confidence": round(detection.confidence, 3),
            },
            "fingerprint_match": _nearest_view(
                nearest, viewer_tenant_id=viewer_tenant_id, staff=staff
            ),
            "generated_by_us": match is not None and match.asset.origin == Asset.Origin.GENERATED,
            "labelled_by_us": match is not None and match.asset.origin == Asset.Origin.LABELLED,
            "asset": _asset_view(match, viewer_tenant_id=viewer_tenant_id, staff=staff),
        }
    return report


def _match(
    meta: metadata.MetadataReport | None,
    manifest: dict[str, Any] | None,
    detection: watermark.Detection,
    nearest: tuple[Asset, int] | None,
) -> Match | None:
    payload = detection.payload
    if payload is not None and payload.installation_id == settings.APP_WATERMARK_INSTALLATION_ID:
        asset = _asset(payload.asset_id)
        if asset is not None:
            return Match(asset, "watermark")
    label = meta.label if meta is not None else None
    if (
        meta is not None
        and label is not None
        and meta.seal_valid
        and label.content_producer == settings.APP_AIGC_PROVIDER_CODE
        and label.produce_id.isdigit()
    ):
        asset = _asset(int(label.produce_id))
        if asset is not None:
            return Match(asset, "metadata")
    if (
        manifest
        and manifest.get("asset_id")
        and manifest.get("validation", {}).get("state")
        in (
            "valid",
            "trusted",
        )
    ):
        asset = _asset(int(manifest["asset_id"]))
        if asset is not None:
            return Match(asset, "c2pa")
    if nearest is not None and nearest[1] <= fingerprint.DUPLICATE_DISTANCE:
        return Match(nearest[0], "fingerprint")
    return None


def _asset(asset_id: int) -> Asset | None:
    return Asset.all_tenants.filter(pk=asset_id).exclude(file="").first()


def _nearest_asset(print_: fingerprint.Fingerprint) -> tuple[Asset, int] | None:
    # An exact scan of the installation's fingerprints; the dedup index serves it at scale.
    asset = (
        Asset.all_tenants.exclude(pdq=None)
        .annotate(distance=HammingDistance("pdq", print_.bits))
        .order_by("distance", "id")
        .first()
    )
    if asset is None:
        return None
    return asset, round(asset.distance)


def _nearest_view(
    nearest: tuple[Asset, int] | None, *, viewer_tenant_id: int | None, staff: bool
) -> dict[str, Any] | None:
    """The nearest fingerprint's distance; its asset id only for its own brand (or staff)."""
    if nearest is None:
        return None
    asset, distance = nearest
    view: dict[str, Any] = {
        "distance": distance,
        "match": distance <= fingerprint.DUPLICATE_DISTANCE,
    }
    if view["match"] and (staff or asset.tenant_id == viewer_tenant_id):
        view["asset_id"] = asset.pk
    return view


def _visible(match: Match | None, data: bytes) -> bool | None:
    """Whether the file shows the visible label, as far as we can know it: what we put on the
    asset, unless this very file is one we handed out without it. None when the image is not
    one of ours, or when the asset also went out unlabelled and this copy was re-encoded."""
    if match is None:
        return None
    digest = hashlib.sha256(data).hexdigest()
    if digest == match.asset.sha256:  # the stored file itself
        return bool(match.asset.marks.get("visible_label"))
    exports = UnlabelledExport.all_tenants.filter(asset_id=match.asset.pk)
    if exports.filter(sha256=digest).exists():
        return False
    if exports.exists():
        return None
    return bool(match.asset.marks.get("visible_label"))


def _asset_view(
    match: Match | None, *, viewer_tenant_id: int | None, staff: bool
) -> dict[str, Any] | None:
    if match is None:
        return None
    asset = match.asset
    view: dict[str, Any] = {"matched_by": match.by, "created_at": asset.created_at.isoformat()}
    if staff or asset.tenant_id == viewer_tenant_id:
        view.update(
            asset_id=asset.pk,
            brand=asset.tenant.name,
            origin=asset.origin,
            size=[asset.width, asset.height],
            sha256=asset.sha256,
        )
        return view
    disclosure = ProvenanceSettings.all_tenants.filter(tenant_id=asset.tenant_id).first()
    if disclosure is not None and disclosure.public_disclosure:
        view["brand"] = asset.tenant.name
    return view
