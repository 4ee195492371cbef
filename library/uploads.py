"""Bulk uploads to the library: many files or one zip, staged, then processed by a worker.

The request only stages the bytes and creates the batch (and one item per file), so a
thousand files answer at once; the worker adds each file with library.ingest, one transaction
per file, and the batch's counters are the progress a member watches. A staged file is
deleted as soon as its item is settled, and a file that is refused is never stored.
"""

import io
import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from generation import storage
from generation.images import DEFAULT_MAX_BYTES, ImageRejected
from generation.models import Asset, Product
from library import archives, describe, ingest
from library.models import UploadBatch, UploadItem

logger = logging.getLogger(__name__)

MAX_FILES = 500  # per request; a zip holds up to archives' own entry limit
MAX_FILE_BYTES = DEFAULT_MAX_BYTES  # what generation.images takes
MAX_ARCHIVE_BYTES = 500 * 1024 * 1024
_COPY_CHUNK = 1024 * 1024


_LOST = "The uploaded file was lost before it was read; upload it again."
_CRASHED = "The file could not be processed; upload it again, or tell us if it keeps failing."


class UploadRefused(ValueError):
    """The whole upload is refused; the message is one sentence for the member."""


@dataclass(frozen=True)
class Upload:
    name: str
    file: IO[bytes]
    size: int


def _staging_key(tenant_id: int, batch_id: int, position: int) -> str:
    return storage.tenant_key(tenant_id, "staging", str(batch_id), str(position))


def _item_error(upload: Upload) -> str:
    if upload.size == 0:
        return "The file is empty."
    if upload.size > MAX_FILE_BYTES:
        return f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB."
    return ""


@transaction.atomic
def upload_batch_create(
    *,
    tenant_id: int,
    user_id: int | None,
    files: Sequence[Upload] = (),
    archive: Upload | None = None,
    kind: str = Asset.Kind.OTHER,
    tags: Sequence[str] = (),
    product: Product | None = None,
) -> UploadBatch:
    """Stage the files (or the zip) and create the batch; the worker starts after commit.

    Empty and oversized files become refused items straight away, so the member sees every
    file they sent accounted for.
    """
    from library import tasks  # the task module imports this one

    if not files and archive is None:
        raise UploadRefused("Choose one or more images, or a zip of images.")
    if files and archive is not None:
        raise UploadRefused("Upload either images or one zip, not both at once.")
    if len(files) > MAX_FILES:
        raise UploadRefused(f"Upload at most {MAX_FILES} files at once, or put them in a zip.")
    if archive is not None and archive.size > MAX_ARCHIVE_BYTES:
        raise UploadRefused(f"The zip is larger than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MB.")
    if archive is not None and archive.size == 0:
        raise UploadRefused("The zip is empty.")
    if kind not in Asset.Kind.values:
        raise UploadRefused("Choose what the images are (product, prop, background, …).")
    batch = UploadBatch.objects.create(
        tenant_id=tenant_id,
        created_by_id=user_id,
        kind=kind,
        tags=describe.clean_tags(list(tags)),
        product=product,
        archive_name=archive.name[:200] if archive else "",
        total=len(files),
    )
    staged: list[str] = []
    try:
        if archive is not None:
            key = storage.media_storage().save(
                _staging_key(tenant_id, batch.pk, 0) + ".zip", archive.file
            )
            staged.append(key)
            batch.staged = key
            batch.save(update_fields=["staged"])
        else:
            items = []
            for position, (upload, name) in enumerate(
                zip(files, archives.unique_names([f.name for f in files]), strict=True)
            ):
                error = _item_error(upload)
                key = ""
                if not error:
                    key = storage.media_storage().save(
                        _staging_key(tenant_id, batch.pk, position), upload.file
                    )
                    staged.append(key)
                items.append(
                    UploadItem(
                        tenant_id=tenant_id, batch=batch, position=position, name=name[:200],
                        staged=key, status=UploadItem.Status.FAILED if error else
                        UploadItem.Status.PENDING, error=error,
                    )
                )  # fmt: skip
            UploadItem.objects.bulk_create(items)
            batch.processed = sum(1 for item in items if item.error)
            batch.save(update_fields=["processed"])
    except Exception:
        for key in staged:
            storage.media_storage().delete(key)
        raise
    transaction.on_commit(
        lambda: tasks.upload_batch_process.delay(tenant_id=tenant_id, batch_id=batch.pk)
    )
    return batch


def _expand_archive(batch: UploadBatch) -> None:
    """Read the staged zip into items (each entry staged on its own), then drop the zip.

    The zip is copied to a temporary file (zipfile needs to seek; storage may be S3) and its
    entries are read one at a time, so memory holds one entry, not the archive.
    """
    items, refused = [], 0
    try:
        with (
            tempfile.TemporaryFile() as local,
            storage.media_storage().open(batch.staged, "rb") as handle,
        ):
            shutil.copyfileobj(handle, local, _COPY_CHUNK)
            local.seek(0)
            for position, entry in enumerate(archives.read_zip(local), start=1):
                key, error = "", entry.error or ""
                if not error and not entry.data:
                    error = "The file is empty."
                if not error and entry.data is not None:
                    key = storage.media_storage().save(
                        _staging_key(batch.tenant_id, batch.pk, position), io.BytesIO(entry.data)
                    )
                refused += bool(error)
                items.append(
                    UploadItem(
                        tenant_id=batch.tenant_id, batch=batch, position=position,
                        name=entry.name[:200], staged=key, error=error[:300],
                        status=UploadItem.Status.FAILED if error else UploadItem.Status.PENDING,
                    )
                )  # fmt: skip
    except archives.ArchiveError as error:
        for item in items:
            if item.staged:
                storage.media_storage().delete(item.staged)
        items, batch.status, batch.error = [], UploadBatch.Status.FAILED, str(error)[:500]
        batch.finished_at = timezone.now()
    UploadItem.objects.bulk_create(items)
    storage.media_storage().delete(batch.staged)
    batch.staged = ""
    batch.total = len(items)
    batch.processed = refused
    if not items and batch.status != UploadBatch.Status.FAILED:
        batch.status = UploadBatch.Status.FAILED
        batch.error = "The zip holds no files."
        batch.finished_at = timezone.now()
    batch.save(update_fields=["staged", "total", "processed", "status", "error", "finished_at"])


def upload_batch_start(*, tenant_id: int, batch_id: int) -> list[int]:
    """Mark the batch running (reading its zip first) and return its pending item ids."""
    batch = UploadBatch.objects.select_for_update().filter(tenant_id=tenant_id, pk=batch_id).first()
    if batch is None or batch.status in (UploadBatch.Status.DONE, UploadBatch.Status.FAILED):
        return []
    if batch.staged:
        _expand_archive(batch)
        if batch.status == UploadBatch.Status.FAILED:
            return []
    batch.status = UploadBatch.Status.RUNNING
    batch.save(update_fields=["status"])
    return list(
        UploadItem.objects.filter(
            tenant_id=tenant_id, batch_id=batch_id, status=UploadItem.Status.PENDING
        )
        .order_by("position")
        .values_list("pk", flat=True)
    )


def upload_item_process(*, tenant_id: int, item_id: int) -> None:
    """Add one staged file to the library and settle its item; a no-op once settled."""
    item = (
        UploadItem.objects.select_for_update(of=("self",))
        .select_related("batch", "batch__product")
        .filter(tenant_id=tenant_id, pk=item_id, status=UploadItem.Status.PENDING)
        .first()
    )
    if item is None:
        return
    batch = item.batch
    try:
        data = storage.read_bytes(item.staged)
        with transaction.atomic():  # a failure leaves the batch's transaction usable
            added = ingest.library_image_add(
                tenant_id=tenant_id, data=data, name=item.name, kind=batch.kind,
                tags=batch.tags, product=batch.product,
            )  # fmt: skip
    except ImageRejected as error:
        item.status, item.error = UploadItem.Status.FAILED, str(error)[:300]
    except FileNotFoundError:
        item.status, item.error = UploadItem.Status.FAILED, _LOST
    except Exception:  # a bug must refuse this file, not stop the batch
        logger.exception("library.upload_crashed", extra={"tenant_id": tenant_id, "item": item_id})
        item.status, item.error = UploadItem.Status.FAILED, _CRASHED
    else:
        item.status, item.asset, item.distance = added.status, added.asset, added.distance
    staged, item.staged = item.staged, ""
    item.save(update_fields=["status", "error", "asset", "distance", "staged"])
    UploadBatch.objects.filter(tenant_id=tenant_id, pk=batch.pk).update(
        processed=F("processed") + 1
    )
    transaction.on_commit(lambda: storage.media_storage().delete(staged))


def upload_batch_finish(*, tenant_id: int, batch_id: int) -> None:
    UploadBatch.objects.filter(
        tenant_id=tenant_id, pk=batch_id, status=UploadBatch.Status.RUNNING
    ).update(status=UploadBatch.Status.DONE, finished_at=timezone.now())
