"""Put a stored asset into the library's indexes: its hashes, colours and search text.

Uploads are indexed as they are added (library.ingest); a generated poster right after its
file is stored (generation.rendering), from the pixels it was drawn with; `manage.py
library_index` indexes whatever is missing (assets stored before the library existed, images
labelled through the provenance API).
"""

import io
from typing import Any

from PIL import Image

from generation import storage
from generation.models import Asset, Product
from library import copy_hashes, describe, fingerprints, image_hashes, semantic
from library.dedup import Source, Verdict
from library.models import ImageHash

_ANALYSIS_SIDE = 512


def poster_index(
    asset: Asset,
    *,
    signature: image_hashes.ImageSignature,
    image: Image.Image,
    copy: dict[str, Any],
    product: Product | None,
    duplicate: Verdict,
) -> None:
    """Index a just-stored poster: its hashes, colours, headline as caption, copy as text."""
    # A box reduce then a small bilinear step: 3 ms for a 1080×1920 poster where thumbnail()'s
    # antialiased resize takes 14 ms, and colours and CLIP need no finer pixels.
    scale = min(1.0, _ANALYSIS_SIDE / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=1.0)
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
        root = Asset.objects.filter(tenant_id=asset.tenant_id, pk=duplicate.match.asset_id).first()
        if root is not None and root.pk != asset.pk:
            asset.duplicate_of_id = root.duplicate_of_id or root.pk
            asset.duplicate_distance = duplicate.match.distance
    asset.save(
        update_fields=[
            "colours", "name", "tags", "caption", "product", "search_document", "duplicate_of",
            "duplicate_distance",
        ]
    )  # fmt: skip
    fingerprints.hashes_store(tenant_id=asset.tenant_id, signature=signature, asset_id=asset.pk)
    semantic.image_store(tenant_id=asset.tenant_id, asset_id=asset.pk, image=small)


def asset_index(asset: Asset) -> bool:
    """Index an asset stored without the library's indexes, from its file; False when it is
    indexed already or its file cannot be read."""
    if ImageHash.objects.filter(tenant_id=asset.tenant_id, asset=asset).exists():
        return False
    try:
        data = storage.read_bytes(asset.file.name or "")
        source = Image.open(io.BytesIO(data))
        source.draft("RGB", (_ANALYSIS_SIDE, _ANALYSIS_SIDE))
        image = source.convert("RGB")
    except (FileNotFoundError, OSError):
        return False
    image.thumbnail((_ANALYSIS_SIDE, _ANALYSIS_SIDE))
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
