"""Asset rows and their files: reserved first (the id goes into the file's marks), then filled."""

from typing import Any

from django.db import IntegrityError, transaction

from generation import storage
from generation.models import Asset
from provenance.labelling import MarkedFile


def asset_reserve(
    *, tenant_id: int, key: str, receipt: dict[str, Any], origin: str = Asset.Origin.GENERATED
) -> tuple[Asset, bool]:
    """The asset row for `key`, created empty when there is none (its id goes into the file's
    marks, so it must exist first); False when another job's identical render made it."""
    try:
        with transaction.atomic():
            asset = Asset.objects.create(
                tenant_id=tenant_id,
                file="",
                content_type="",
                width=0,
                height=0,
                size_bytes=0,
                sha256="",
                render_key=key,
                receipt=receipt,
                origin=origin,
            )
            return asset, True
    except IntegrityError:
        # The same render finished in another job a moment ago (or the same upload was
        # labelled twice): both point at one asset.
        return Asset.objects.get(tenant_id=tenant_id, render_key=key), False


def asset_fill(asset: Asset, marked: MarkedFile, *, extension: str) -> None:
    """Store the marked file under its digest and complete the reserved row.

    The file is written before the row is saved: a failed save deletes it again, so neither a
    row without its file nor a file without its row is left (a worker killed in between can
    leave a file, which no row points at and the next attempt does not reuse).
    """
    name = storage.tenant_key(
        asset.tenant_id, "assets", marked.sha256[:2], f"{marked.sha256}.{extension}"
    )
    name = storage.store_once(name, marked.data)
    try:
        asset.file = name
        asset.content_type = marked.content_type
        asset.width = marked.width
        asset.height = marked.height
        asset.size_bytes = len(marked.data)
        asset.sha256 = marked.sha256
        asset.marks = marked.marks
        asset.pdq = marked.fingerprint.bits
        asset.pdq_quality = marked.fingerprint.quality
        asset.save()
    except Exception:
        storage.media_storage().delete(name)
        raise
