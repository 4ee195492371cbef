"""Add one uploaded image to a brand's library: checked, stored once, fingerprinted, described.

The same file uploaded again (byte for byte, or the same pixels) is the asset already there,
returned rather than stored twice. A near-duplicate (the same picture cropped, resized,
re-encoded: library.image_hashes) is stored, since it may be the better copy, and joins the
earlier asset's duplicate cluster for a member to review and merge (library.clusters).
"""

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from generation import storage
from generation.images import image_intake
from generation.models import Asset, Product
from library import describe, fingerprints, image_hashes, index, semantic
from library.models import UploadItem


@dataclass(frozen=True)
class Added:
    asset: Asset
    status: str  # UploadItem.Status: stored, near_duplicate or duplicate
    distance: int | None = None  # to the cluster's asset, for a near-duplicate


def library_image_add(
    *,
    tenant_id: int,
    data: bytes,
    name: str,
    kind: str = Asset.Kind.OTHER,
    tags: list[str] | None = None,
    caption: str = "",
    product: Product | None = None,
) -> Added:
    """Store an uploaded image in the library, or find it there.

    Raises generation.images.ImageRejected (with a sentence for the member) for anything that
    is not a usable PNG, JPEG or WebP. Either the row and its file are both written, or neither.
    """
    # The render-key column holds a digest; "upload:" keeps it apart from generated keys.
    key = hashlib.sha256(b"upload:" + data).hexdigest()
    existing = Asset.objects.filter(tenant_id=tenant_id, render_key=key).first()
    if existing is not None:
        return Added(existing, UploadItem.Status.DUPLICATE, 0)
    intake = image_intake(data, purpose="library")
    same_pixels = Asset.objects.filter(
        tenant_id=tenant_id, origin=Asset.Origin.UPLOADED, sha256=intake.sha256
    ).first()
    if same_pixels is not None:
        return Added(same_pixels, UploadItem.Status.DUPLICATE, 0)

    pixels = index.analysis_image(intake.data)
    signature = image_hashes.signature(pixels)
    nearest = fingerprints.nearest(
        tenant_id=tenant_id,
        query=image_hashes.query_signature(pixels),
        limit=1,
        banks=False,
        duplicates_only=True,
    )
    name_key = storage.tenant_key(
        tenant_id, "library", intake.sha256[:2], f"{intake.sha256}.{intake.extension}"
    )
    existed = storage.media_storage().exists(name_key)
    stored_key = ""
    try:
        with transaction.atomic():
            asset = Asset(
                tenant_id=tenant_id,
                origin=Asset.Origin.UPLOADED,
                kind=kind,
                content_type=intake.content_type,
                width=intake.width,
                height=intake.height,
                size_bytes=len(intake.data),
                sha256=intake.sha256,
                render_key=key,
                receipt={"uploaded_as": name[:200], "original_format": intake.original_format},
                pdq=signature.hashes[image_hashes.STORED_KINDS[0]],
                pdq_quality=signature.quality,
                colours=describe.swatches(pixels),
            )
            describe.describe(asset, name=name, tags=tags or [], caption=caption, product=product)
            if nearest:
                index.cluster_join(asset, near_id=nearest[0].asset_id, distance=nearest[0].distance)
            # The file first, then the row: a failed save deletes the file again (below).
            stored_key = storage.store_once(name_key, intake.data)
            asset.file = stored_key
            asset.save()
            fingerprints.hashes_store(tenant_id=tenant_id, signature=signature, asset_id=asset.pk)
            semantic.image_store(tenant_id=tenant_id, asset_id=asset.pk, image=pixels)
    except IntegrityError:
        # The same file arrived twice at once: the other upload stored it, under the same
        # content-addressed key, so the file stays (it is that upload's now).
        return Added(
            Asset.objects.get(tenant_id=tenant_id, render_key=key), UploadItem.Status.DUPLICATE, 0
        )
    except Exception:
        if stored_key and not existed:
            storage.media_storage().delete(stored_key)
        raise
    if nearest:
        return Added(asset, UploadItem.Status.NEAR_DUPLICATE, nearest[0].distance)
    return Added(asset, UploadItem.Status.STORED)
