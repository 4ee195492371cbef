"""What the dashboard pages need beyond the services and selectors: page-shaped reads, inline
(non-attachment) image links with their own signature, and small thumbnails of stored images."""

import hashlib
import io
import mimetypes
import time
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from PIL import Image
from storages.backends.s3 import S3Storage

from generation import selectors, storage
from generation.backends import registry
from generation.channels import PRESETS, UnknownChannel, channel_get
from generation.models import BrandKit, Job, Product, ProductPhoto, Render
from tenants.models import Tenant

# Inline links are a capability of their own: a download token can't be replayed as one.
_INLINE_SALT = "generation.inline"
# Links are valid from one to two hours and stay the same within a clock hour, so a page that
# polls every second asks for the same URL and the browser answers it from its cache.
_INLINE_BUCKET_SECONDS = 3600
INLINE_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
THUMBNAIL_WIDTHS = (160, 480)
GALLERY_LIMIT = 100
ERROR_LIMIT = 100


class InlineLinkInvalid(Exception):
    """The inline link is forged, expired or points outside its brand."""


def _inline_expiry(now: float | None = None) -> int:
    now = time.time() if now is None else now
    return (int(now) // _INLINE_BUCKET_SECONDS + 2) * _INLINE_BUCKET_SECONDS


def inline_url(*, tenant_id: int, key: str, width: int | None = None) -> str:
    """A link for <img src>: shown in the page (Content-Disposition: inline), without a session.

    `width` asks for a thumbnail (one of THUMBNAIL_WIDTHS), made once and stored beside the brand's
    files. Full-size images on S3 are presigned there; everything else goes through `file_inline`.
    """
    if width is not None and width not in THUMBNAIL_WIDTHS:
        raise ValueError(f"thumbnail width must be one of {THUMBNAIL_WIDTHS}")
    media = storage.media_storage()
    if width is None and isinstance(media, S3Storage):
        url: str = media.url(
            key,
            parameters={"ResponseContentDisposition": "inline"},
            expire=_INLINE_BUCKET_SECONDS,
        )
        return url
    payload = {"t": tenant_id, "k": key, "w": width or 0, "e": _inline_expiry()}
    token = signing.Signer(salt=_INLINE_SALT).sign_object(payload, compress=True)
    return reverse("file_inline", kwargs={"token": token})


@dataclass(frozen=True)
class InlineFile:
    tenant_id: int
    key: str
    width: int | None
    expires_at: int


def inline_token_read(token: str, *, now: float | None = None) -> InlineFile:
    """The file an inline link names; raises InlineLinkInvalid for anything but a valid link."""
    try:
        data = signing.Signer(salt=_INLINE_SALT).unsign_object(token)
    except signing.BadSignature as error:
        raise InlineLinkInvalid("bad signature") from error
    try:
        tenant_id, key, width, expires_at = int(data["t"]), str(data["k"]), data["w"], data["e"]
    except (KeyError, TypeError, ValueError) as error:
        raise InlineLinkInvalid("malformed payload") from error
    if int(expires_at) <= (time.time() if now is None else now):
        raise InlineLinkInvalid("expired")
    if not key.startswith(storage.tenant_key(tenant_id) + "/") or ".." in key.split("/"):
        raise InlineLinkInvalid("outside the brand")
    if inline_content_type(key) not in INLINE_CONTENT_TYPES:
        raise InlineLinkInvalid("not an image")
    if width and width not in THUMBNAIL_WIDTHS:
        raise InlineLinkInvalid("unknown thumbnail width")
    return InlineFile(tenant_id, key, int(width) or None, int(expires_at))


def inline_content_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def thumbnail_key(file: InlineFile) -> str:
    """Where the thumbnail of `file` at its width lives: derived from the source key, which is
    content-addressed, so a thumbnail never goes stale."""
    digest = hashlib.sha256(file.key.encode()).hexdigest()[:32]
    return storage.tenant_key(file.tenant_id, "thumbnails", f"{digest}-{file.width}.jpg")


def thumbnail_ensure(file: InlineFile) -> str:
    """The key of the stored thumbnail of `file`, making it on first use; raises OSError when the
    source is gone or unreadable."""
    key = thumbnail_key(file)
    if storage.media_storage().exists(key):
        return key
    source = Image.open(io.BytesIO(storage.read_bytes(file.key)))
    width = file.width or THUMBNAIL_WIDTHS[-1]
    source.draft("RGB", (width, width * 4))  # JPEG: decode at a reduced scale when it can
    image: Image.Image = source
    image.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    if image.mode in ("RGBA", "LA", "P"):
        # Cut-outs get a white card behind them, which is how the catalog shows them anyway.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=82, optimize=True)
    return storage.store_once(key, buffer.getvalue())


# PAGE READS --------------------------------------------------------------------------------


def job_page_list(*, tenant: Tenant, status: str = "") -> QuerySet[Job]:
    filters = selectors.JobFilters(status=status) if status else None
    return selectors.job_list(tenant=tenant, filters=filters).select_related("created_by")


def job_page_get(*, tenant: Tenant, job_id: int) -> Job:
    return Job.objects.select_related("brand_kit", "created_by").get(tenant=tenant, pk=job_id)


@dataclass(frozen=True)
class RenderFailure:
    channel_label: str
    variant: int  # 1-based, as people count
    error: str


def job_failures(*, tenant: Tenant, job: Job) -> list[RenderFailure]:
    failed = Render.objects.filter(tenant=tenant, job=job, status=Render.Status.FAILED)
    return [
        RenderFailure(channel_label(render.channel), render.variant + 1, render.error)
        for render in failed.order_by("channel", "variant")[:ERROR_LIMIT]
    ]


@dataclass(frozen=True)
class GalleryItem:
    render_id: int
    channel: str
    channel_label: str
    variant: int  # 1-based, as people count
    status: str
    width: int
    height: int
    headline: str
    is_cache_hit: bool
    thumbnail_url: str
    full_url: str
    download_url: str  # "" when the ad-law review holds or rejected the asset
    error: str
    compliance_state: str = ""


def job_gallery(*, tenant: Tenant, job: Job) -> list[GalleryItem]:
    items = []
    for render in selectors.render_list(tenant=tenant, job=job)[:GALLERY_LIMIT]:
        asset = render.asset if render.status == Render.Status.DONE else None
        thumbnail = full = download = ""
        if asset is not None and asset.file.name:
            key = asset.file.name
            extension = key.rsplit(".", 1)[-1]
            filename = f"job{job.pk}-{render.channel}-{render.variant + 1}.{extension}"
            thumbnail = inline_url(tenant_id=tenant.pk, key=key, width=THUMBNAIL_WIDTHS[-1])
            full = inline_url(tenant_id=tenant.pk, key=key)
            if render.is_released:  # held or rejected by the ad-law review: shown, not given
                download = storage.download_url(tenant_id=tenant.pk, key=key, filename=filename)
        copy: dict[str, Any] = render.copy if isinstance(render.copy, dict) else {}
        items.append(
            GalleryItem(
                render_id=render.pk,
                channel=render.channel,
                channel_label=channel_label(render.channel),
                variant=render.variant + 1,
                status=render.status,
                width=render.width,
                height=render.height,
                headline=str(copy.get("headline", "")),
                is_cache_hit=render.is_cache_hit,
                thumbnail_url=thumbnail,
                full_url=full,
                download_url=download,
                error=render.error,
                compliance_state=render.compliance_state,
            )
        )
    return items


def channel_label(name: str) -> str:
    try:
        return channel_get(name).label
    except UnknownChannel:
        return name


def product_thumbnail_url(product: Product, *, width: int = THUMBNAIL_WIDTHS[0]) -> str:
    """The first photo's thumbnail; uses the prefetched photos of selectors.product_list."""
    photos = list(product.photos.all())
    if not photos or not photos[0].file.name:
        return ""
    return inline_url(tenant_id=product.tenant_id, key=photos[0].file.name, width=width)


def product_photo_get(*, tenant: Tenant, product_id: int, photo_id: int) -> ProductPhoto:
    return ProductPhoto.objects.get(tenant=tenant, product_id=product_id, pk=photo_id)


def brand_kit_history(*, tenant: Tenant, limit: int = 50) -> list[BrandKit]:
    kits = BrandKit.objects.filter(tenant=tenant).select_related("created_by")
    return list(kits.order_by("-version")[:limit])


@dataclass(frozen=True)
class LayoutGroup:
    shape: str  # "portrait", "square" or "landscape"
    channels: tuple[str, ...]  # the presets of that shape
    layouts: tuple[str, ...]


def layout_groups() -> list[LayoutGroup]:
    """The built-in image backend's layouts by the preset shapes they suit, in its own order;
    [] while the backend can't be loaded (then the brand kit takes free text)."""
    try:
        backend = registry.image_backend("compositor")
    except (ImportError, registry.UnknownBackend):
        return []
    groups: dict[tuple[str, ...], list[str]] = {}
    shapes: dict[tuple[str, ...], str] = {}
    for channel in PRESETS.values():
        names = tuple(backend.layouts(width=channel.width, height=channel.height))
        groups.setdefault(names, []).append(channel.name)
        ratio = channel.height / channel.width
        shapes[names] = "portrait" if ratio > 1.1 else "landscape" if ratio < 0.9 else "square"
    return [
        LayoutGroup(shape=shapes[names], channels=tuple(channels), layouts=names)
        for names, channels in groups.items()
    ]


def known_layouts() -> list[str]:
    return [name for group in layout_groups() for name in group.layouts]


BRAND_KIT_FIELDS = (
    "palette",
    "font_family",
    "logo",
    "tone_of_voice",
    "banned_words",
    "preferred_layouts",
    "language",
)


def brand_kit_changed_fields(newer: BrandKit, older: BrandKit | None) -> list[str]:
    """The fields `newer` changed relative to the version before it."""
    if older is None:
        return []
    changed = []
    for name in BRAND_KIT_FIELDS:
        new, old = getattr(newer, name), getattr(older, name)
        if name == "logo":
            new, old = new.name, old.name
        if new != old:
            changed.append(name)
    return changed
