"""Writes of the library: editing an asset's description, merging duplicate clusters, banks."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from generation import storage
from generation.images import image_intake
from generation.models import Asset, Job, Product
from library import copy_hashes, describe, fingerprints, image_hashes, index
from library.models import Bank, BankEntry, CopyHash, ImageHash
from tenants.audit import audit_record
from tenants.models import ApiKey, Tenant


class LibraryError(ValueError):
    """A request the library refuses; the message is one sentence for the member."""


@transaction.atomic
def asset_describe_update(
    *, tenant: Tenant, actor: User | None, asset: Asset, tags: Sequence[str] | None = None,
    caption: str | None = None, kind: str | None = None, product: Product | None = None,
    clear_product: bool = False, api_key: ApiKey | None = None,
) -> Asset:  # fmt: skip
    """Change an asset's tags, caption, kind or product (or take the product away); its search
    text follows."""
    if kind is not None:
        if kind not in Asset.Kind.values:
            raise LibraryError("Choose what the image is: product, prop, background, …")
        asset.kind = kind
    if product is not None:
        asset.product = product
    elif clear_product:
        asset.product = None
    new_tags = list(tags) if tags is not None else asset.tags
    describe.describe(
        asset, name=asset.name, tags=new_tags, caption=caption if caption is not None else
        asset.caption, product=asset.product,
    )  # fmt: skip
    if tags is not None:
        # describe() adds the file name's and product's words; the member's list replaces them.
        asset.tags = describe.clean_tags(list(tags))
    asset.save(update_fields=["kind", "product", "tags", "caption", "search_document", "name"])
    audit_record(
        tenant=tenant, actor=actor, api_key=api_key, action="library.asset_updated", target=asset,
        data={"tags": asset.tags, "kind": asset.kind},
    )  # fmt: skip
    return asset


def _delete_files_on_commit(keys: list[str]) -> None:
    def delete() -> None:
        for key in keys:
            if key and not Asset.all_tenants.filter(file=key).exists():
                storage.media_storage().delete(key)

    transaction.on_commit(delete)


@transaction.atomic
def cluster_merge(
    *, tenant: Tenant, actor: User | None, root: Asset, keep: Asset, api_key: ApiKey | None = None
) -> tuple[Asset, int]:
    """Keep one asset of a duplicate cluster and remove the uploaded others (their tags join
    the kept one's; jobs that used them as a reference now use it). Generated posters belong to
    their jobs and stay, no longer marked as duplicates. Returns (kept, removed)."""
    members = [root, *Asset.objects.select_for_update().filter(tenant=tenant, duplicate_of=root)]
    if keep.pk not in {member.pk for member in members}:
        raise LibraryError("Keep one of the cluster's own images.")
    removed: list[Asset] = []
    tags = list(keep.tags)
    for member in members:
        if member.pk == keep.pk:
            continue
        if member.origin == Asset.Origin.UPLOADED:
            tags += member.tags
            removed.append(member)
    Job.objects.filter(tenant=tenant, reference_asset__in=removed).update(reference_asset=keep)
    Asset.objects.filter(tenant=tenant, duplicate_of__in=[m.pk for m in members]).update(
        duplicate_of=None, duplicate_distance=None
    )
    keep.duplicate_of, keep.duplicate_distance = None, None
    keep.tags = describe.clean_tags(tags)
    keep.save(update_fields=["duplicate_of", "duplicate_distance", "tags"])
    keys = [member.file.name or "" for member in removed]
    Asset.objects.filter(tenant=tenant, pk__in=[m.pk for m in removed]).delete()
    _delete_files_on_commit(keys)
    audit_record(
        tenant=tenant, actor=actor, api_key=api_key, action="library.cluster_merged", target=keep,
        data={"removed": [m.pk for m in removed]},
    )  # fmt: skip
    return keep, len(removed)


@transaction.atomic
def cluster_dismiss(
    *, tenant: Tenant, actor: User | None, asset: Asset, api_key: ApiKey | None = None
) -> None:
    """The asset is not a duplicate of its cluster's: take it out."""
    if asset.duplicate_of_id is None:
        raise LibraryError("This image is not in a duplicate cluster.")
    root_id = asset.duplicate_of_id
    asset.duplicate_of, asset.duplicate_distance = None, None
    asset.save(update_fields=["duplicate_of", "duplicate_distance"])
    audit_record(
        tenant=tenant, actor=actor, api_key=api_key, action="library.duplicate_dismissed",
        target=asset, data={"cluster": root_id},
    )  # fmt: skip


def bank_create(
    *, tenant: Tenant, actor: User | None, name: str, description: str = "",
    api_key: ApiKey | None = None,
) -> Bank:  # fmt: skip
    name = " ".join(name.split())[:80]
    if not name:
        raise LibraryError("Give the bank a name.")
    try:
        with transaction.atomic():
            bank = Bank.objects.create(
                tenant=tenant, name=name, description=description.strip()[:300],
                created_by=actor,
            )  # fmt: skip
            audit_record(
                tenant=tenant, actor=actor, api_key=api_key, action="library.bank_created",
                target=bank, data={"name": name},
            )  # fmt: skip
    except IntegrityError:
        raise LibraryError(f"There is already a bank called “{name}”.") from None
    return bank


@transaction.atomic
def bank_update(
    *, tenant: Tenant, actor: User | None, bank: Bank, enabled: bool | None = None,
    description: str | None = None, api_key: ApiKey | None = None,
) -> Bank:  # fmt: skip
    if enabled is not None:
        bank.enabled = enabled
    if description is not None:
        bank.description = description.strip()[:300]
    bank.save(update_fields=["enabled", "description"])
    audit_record(
        tenant=tenant, actor=actor, api_key=api_key, action="library.bank_updated", target=bank,
        data={"enabled": bank.enabled},
    )  # fmt: skip
    return bank


def _entry_image_store(*, tenant: Tenant, bank: Bank, data: bytes) -> BankEntry:
    intake = image_intake(data, purpose="library")
    if BankEntry.objects.filter(tenant=tenant, bank=bank, sha256=intake.sha256).exists():
        raise LibraryError("This image is in the bank already.")
    pixels = index.analysis_image(intake.data)
    key = storage.tenant_key(
        tenant.pk, "banks", intake.sha256[:2], f"{intake.sha256}.{intake.extension}"
    )
    existed = storage.media_storage().exists(key)
    entry = BankEntry.objects.create(
        tenant=tenant, bank=bank, kind=BankEntry.Kind.IMAGE, content_type=intake.content_type,
        width=intake.width, height=intake.height, sha256=intake.sha256,
    )  # fmt: skip
    stored = storage.store_once(key, intake.data)
    try:
        entry.file = stored
        entry.save(update_fields=["file"])
        fingerprints.hashes_store(
            tenant_id=tenant.pk, signature=image_hashes.signature(pixels), bank_entry_id=entry.pk
        )
    except Exception:
        if not existed:
            storage.media_storage().delete(stored)
        raise
    return entry


def bank_entry_add(
    *, tenant: Tenant, actor: User | None, bank: Bank, image: bytes | None = None,
    text: str = "", asset: Asset | None = None, note: str = "", api_key: ApiKey | None = None,
) -> BankEntry:  # fmt: skip
    """Add an image (uploaded, or one of the brand's assets) or a piece of copy to the bank.

    Raises ImageRejected for an unusable image and LibraryError for the rest.
    """
    given = sum(value is not None and value != "" for value in (image, text.strip(), asset))
    if given != 1:
        raise LibraryError("Give one image, one library asset or one piece of copy.")
    with transaction.atomic():
        if text.strip():
            entry = BankEntry.objects.create(
                tenant=tenant, bank=bank, kind=BankEntry.Kind.TEXT, text=text.strip()[:5000]
            )
            CopyHash.objects.create(tenant=tenant, bank_entry=entry, bits=copy_hashes.simhash(text))
        else:
            if image is None:
                assert asset is not None  # one of the three was given
                image = storage.read_bytes(asset.file.name or "")
            entry = _entry_image_store(tenant=tenant, bank=bank, data=image)
            if asset is not None:
                entry.source_asset = asset
        entry.note = note.strip()[:300]
        entry.added_by = actor
        entry.save(update_fields=["note", "added_by", "source_asset"])
        audit_record(
            tenant=tenant, actor=actor, api_key=api_key, action="library.bank_entry_added",
            target=entry, data={"bank": bank.pk, "kind": entry.kind},
        )  # fmt: skip
    return entry


@transaction.atomic
def bank_entry_remove(
    *, tenant: Tenant, actor: User | None, entry: BankEntry, api_key: ApiKey | None = None
) -> None:
    key = entry.file.name or ""
    ImageHash.objects.filter(tenant=tenant, bank_entry=entry).delete()
    audit_record(
        tenant=tenant, actor=actor, api_key=api_key, action="library.bank_entry_removed",
        target=entry, data={"bank": entry.bank_id, "kind": entry.kind},
    )  # fmt: skip
    entry.delete()
    if key:

        def delete() -> None:
            if not BankEntry.all_tenants.filter(file=key).exists():
                storage.media_storage().delete(key)

        transaction.on_commit(delete)
