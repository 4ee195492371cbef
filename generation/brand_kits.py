"""Brand kits: every edit writes a new immutable version, and jobs point at the one they used."""

import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from generation import storage
from generation.backends import registry
from generation.channels import PRESETS
from generation.images import IntakeResult
from generation.models import BrandKit
from tenants.audit import audit_record
from tenants.models import Tenant

PALETTE_KEYS = ("primary", "secondary", "accent", "background", "text")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class BrandKitChanges:
    palette: dict[str, str] | None = None
    font_family: str | None = None
    tone_of_voice: str | None = None
    banned_words: list[str] | None = None
    preferred_layouts: list[str] | None = None
    language: str | None = None
    logo: IntakeResult | None = None
    remove_logo: bool = False


def brand_kit_current(*, tenant: Tenant) -> BrandKit:
    """The newest version; a brand that never edited its kit gets version 1 with defaults."""
    kit = BrandKit.objects.filter(tenant=tenant).order_by("-version").first()
    if kit is not None:
        return kit
    try:
        with transaction.atomic():
            return BrandKit.objects.create(tenant=tenant, version=1)
    except IntegrityError:  # a concurrent request created it first
        return BrandKit.objects.get(tenant=tenant, version=1)


def _validate(changes: BrandKitChanges) -> None:
    errors: dict[str, str] = {}
    if changes.palette is not None:
        missing = [key for key in PALETTE_KEYS if key not in changes.palette]
        bad = [key for key in PALETTE_KEYS if not _HEX.match(str(changes.palette.get(key, "")))]
        if missing or bad:
            errors["palette"] = (
                f"The palette needs {', '.join(PALETTE_KEYS)} as #RRGGBB colours; "
                f"check {', '.join(missing or bad)}."
            )
    if changes.font_family is not None and changes.font_family not in BrandKit.FontFamily:
        errors["font_family"] = "The font family must be 'sans' or 'serif'."
    if changes.language is not None and changes.language not in ("zh", "en"):
        errors["language"] = "The language must be 'zh' or 'en'."
    if changes.preferred_layouts is not None:
        backend = registry.image_backend("compositor")
        known = {
            name
            for channel in PRESETS.values()
            for name in backend.layouts(width=channel.width, height=channel.height)
        }
        unknown = sorted(set(changes.preferred_layouts) - known)
        if unknown:
            errors["preferred_layouts"] = (
                f"Unknown layout {', '.join(unknown)}; choose from {', '.join(sorted(known))}."
            )
    if changes.banned_words is not None and any(
        not word.strip() or len(word) > 40 for word in changes.banned_words
    ):
        errors["banned_words"] = "Each banned word must be 1 to 40 characters."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def brand_kit_update(*, tenant: Tenant, user: User | None, changes: BrandKitChanges) -> BrandKit:
    """Write the next version of the kit with `changes` applied; the old one stays for its jobs."""
    _validate(changes)
    # Serialise edits of one brand's kit: two concurrent edits must not both become version N+1.
    Tenant.objects.select_for_update().filter(pk=tenant.pk).exists()
    current = brand_kit_current(tenant=tenant)
    logo = current.logo.name
    if changes.logo is not None:
        key = storage.tenant_key(
            tenant.pk, "brand", f"logo-{changes.logo.sha256[:16]}.{changes.logo.extension}"
        )
        logo = storage.store_once(key, changes.logo.data)
    elif changes.remove_logo:
        logo = ""
    kit = BrandKit.objects.create(
        tenant=tenant,
        version=current.version + 1,
        palette=changes.palette if changes.palette is not None else current.palette,
        font_family=changes.font_family or current.font_family,
        logo=logo,
        tone_of_voice=(
            changes.tone_of_voice if changes.tone_of_voice is not None else current.tone_of_voice
        ),
        banned_words=_clean_words(changes.banned_words, current.banned_words),
        preferred_layouts=(
            changes.preferred_layouts
            if changes.preferred_layouts is not None
            else current.preferred_layouts
        ),
        language=changes.language or current.language,
        created_by=user,
    )
    audit_record(
        tenant=tenant,
        actor=user,
        action="brand_kit.updated",
        target=kit,
        data={"version": kit.version},
    )
    return kit


def _clean_words(new: list[str] | None, old: list[str]) -> list[str]:
    if new is None:
        return old
    return sorted({word.strip() for word in new if word.strip()})
