"""Where a brand's files live: keys prefixed by tenant, content-addressed, with signed links.

Keys are derived from content (or from everything that decides a render's pixels), so a retried
task writes to the key it wrote before instead of leaving a second, orphaned copy.
"""

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.urls import reverse
from storages.backends.s3 import S3Storage

_DOWNLOAD_SALT = "generation.download"
DOWNLOAD_TTL_SECONDS = 3600


def media_storage() -> Storage:
    return storages["default"]


def tenant_key(tenant_id: int, *parts: str) -> str:
    return "/".join(["tenants", str(tenant_id), *parts])


def store_once(key: str, data: bytes) -> str:
    """Write `data` under `key` unless it is already there; returns the key."""
    storage = media_storage()
    if storage.exists(key):
        return key
    return storage.save(key, ContentFile(data))


def read_bytes(key: str) -> bytes:
    with media_storage().open(key, "rb") as handle:
        data: bytes = handle.read()
        return data


def download_url(*, tenant_id: int, key: str, filename: str) -> str:
    """A link that works for DOWNLOAD_TTL_SECONDS without a session (signed, tenant-bound).

    S3 answers with its own presigned URL; other storages go through `file_download`, which
    checks our signature before streaming the file.
    """
    storage = media_storage()
    if isinstance(storage, S3Storage):
        return storage.url(
            key,
            parameters={"ResponseContentDisposition": f'attachment; filename="{filename}"'},
            expire=DOWNLOAD_TTL_SECONDS,
        )
    token = signing.dumps({"t": tenant_id, "k": key, "f": filename}, salt=_DOWNLOAD_SALT)
    return reverse("file_download", kwargs={"token": token})


def download_token_read(token: str) -> tuple[int, str, str]:
    """(tenant id, key, filename) of a valid, unexpired token; raises signing.BadSignature."""
    data = signing.loads(token, salt=_DOWNLOAD_SALT, max_age=DOWNLOAD_TTL_SECONDS)
    return int(data["t"]), str(data["k"]), str(data["f"])
