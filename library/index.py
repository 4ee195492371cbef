"""Put a stored asset into the library's indexes: its hashes, colours and search text.

Uploads are indexed as they are added (library.ingest); a generated poster as its row is
filled (generation.rendering), from the pixels it was drawn with; `manage.py library_index`
indexes whatever is missing (assets stored before the library existed, images labelled through
the provenance API). Hashes, colours and embeddings are all taken of the same pixels: the image
through fingerprint.shrink, the step every perceptual hash goes through.
"""

import io
from typing import Any

from PIL import Image

from generation import storage
from generation.models import Asset, Product
from library import copy_hashes, describe, fingerprints, image_hashes, semantic
from library.dedup import Source, Verdict
from library.models import ImageHash
from provenance import fingerprint


def analysis_image(data: bytes) -> Image.Image:
    """The pixels of an encoded image that hashes, colours and embeddings are taken of (a JPEG
    is decoded straight at a reduced scale, Image.draft). Raises OSError for undecodable data."""
    source = Image.open(io.BytesIO(data))
    source.draft("RGB", (fingerprint.MAX_SIDE, fingerprint.MAX_SIDE))
    return fingerprint.shrink(source)


def cluster_join(asset: Asset, *, near_id: int | None, distance: int) -> None:
    """Put `asset` in the duplicate cluster of the asset it nearly duplicates (not saved):
    clusters are one level deep, so it points at that asset's first asset."""
    found = (
        Asset.objects.filter(tenant_id=asset.tenant_id, pk=near_id)
        .values_list("pk", "duplicate_of_id")
        .first()
    )
    if found is not None and found[0] != asset.pk:
        asset.duplicate_of_id = found[1] or found[0]
        asset.duplicate_distance = distance


def poster_index(
    asset: Asset,
    *,
    signature: image_hashes.ImageSignature,
    small: Image.Image,
    copy: dict[str, Any],
    product: Product | None,
    duplicate: Verdict,
) -> None:
    """Index a reserved poster row before its file and row are stored (generation.assets
    saves the fields set here): its hashes, colours, headline as caption, copy as text.
    `small` is the poster through fingerprint.shrink."""
    asset.colours = describe.swatches(small)
    headline = str(copy.get("headline", ""))
    describe.describe(
        asset,
        tags=[asset.receipt.get("channel", ""), asset.receipt.get("layout", "")],
        caption=headline,
        product=product,
        extra_text=copy_hashes.copy_text(copy),
    )
    if duplicate.match is not None and duplicate.source in (Source.LIBRARY, Source.JOB):
        cluster_join(asset, near_id=duplicate.match.asset_id, distance=duplicate.match.distance)
    fingerprints.hashes_store(tenant_id=asset.tenant_id, signature=signature, asset_id=asset.pk)
    semantic.image_store(tenant_id=asset.tenant_id, asset_id=asset.pk, image=small)


def asset_index(asset: Asset) -> bool:
    """Index an asset stored without the library's indexes, from its file; False when it is
    indexed already or its file cannot be read."""
    if ImageHash.objects.filter(tenant_id=asset.tenant_id, asset=asset).exists():
        return False
    try:
        image = analysis_image(storage.read_bytes(asset.file.name or ""))
    except OSError:  # FileNotFoundError too
        return False
    asset.colours = describe.swatches(image)
    if not asset.search_document:
        copy = asset.receipt.get("copy") or {}
        describe.describe(
            asset,
            name=asset.name or asset.receipt.get("uploaded_as", ""),
            tags=[asset.receipt.get("channel", ""), asset.receipt.get("layout", "")],
            caption=str(copy.get("headline", "")),
            product=asset.product,
            extra_text=copy_hashes.copy_text(copy) if copy else "",
        )
    asset.save(update_fields=["colours", "name", "tags", "caption", "product", "search_document"])
    fingerprints.hashes_store(
        tenant_id=asset.tenant_id, signature=image_hashes.signature(image), asset_id=asset.pk
    )
    semantic.image_store(tenant_id=asset.tenant_id, asset_id=asset.pk, image=image)
    return True
