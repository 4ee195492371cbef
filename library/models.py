"""Fingerprints of every stored image and copy, do-not-reuse banks, and library upload batches.

The searchable description of an image (name, tags, caption, colours) lives on
generation.Asset itself; this app owns what is matched against it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pgvector.django import BitField, HnswIndex, VectorField

from tenants.models import TenantOwnedModel


class Bank(TenantOwnedModel):
    """A brand's do-not-reuse list (rejected assets, competitor creatives, unlicensed material):
    generation never delivers anything near an entry of an enabled bank."""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="bank_name_unique")]

    def __str__(self) -> str:
        return f"bank {self.name}"


class BankEntry(TenantOwnedModel):
    """One image or one piece of copy in a bank. Images keep their file, so a reviewer sees
    what a render was kept away from."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        TEXT = "text", _("Copy")

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file = models.FileField(max_length=300, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True)
    source_asset = models.ForeignKey(
        "generation.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "sha256"],
                condition=Q(kind="image"),
                name="bankentry_image_once_per_bank",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "bank", "-created_at"], name="bankentry_idx")]
        verbose_name_plural = "bank entries"

    def __str__(self) -> str:
        return f"{self.kind} entry {self.pk} of bank {self.bank_id}"


class ImageHash(TenantOwnedModel):
    """One 256-bit perceptual hash of a stored image (library.image_hashes: the full-image
    PDQ and the crop-catching kinds), of an asset or of a bank entry."""

    asset = models.ForeignKey(
        "generation.Asset", on_delete=models.CASCADE, null=True, related_name="+"
    )
    bank_entry = models.ForeignKey(BankEntry, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=16)
    bits = BitField(length=256)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(asset__isnull=False, bank_entry__isnull=True)
                | Q(asset__isnull=True, bank_entry__isnull=False),
                name="imagehash_one_subject",
            ),
        ]
        indexes = [
            # Exact search reads a brand's hashes from this index alone (an index-only scan:
            # the bits and the subject are in it), ~2 ms per 10,000 images (BENCHMARKS.md).
            models.Index(
                fields=["tenant", "kind"],
                include=["bits", "asset", "bank_entry"],
                name="imagehash_exact_idx",
            ),
            # Brands too large for the exact scan use HNSW with iterative scans (library.dedup).
            HnswIndex(fields=["bits"], opclasses=["bit_hamming_ops"], name="imagehash_hnsw_idx"),
            models.Index(fields=["asset"], name="imagehash_asset_idx"),
            models.Index(fields=["bank_entry"], name="imagehash_bankentry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} hash of {'asset ' if self.asset_id else 'bank entry '}"


class CopyHash(TenantOwnedModel):
    """The 64-bit SimHash of a render's copy or of a bank's text (library.copy_hashes), and of
    a render's headline alone: whether two near pictures say the same (library.dedup)."""

    render = models.ForeignKey(
        "generation.Render", on_delete=models.CASCADE, null=True, related_name="+"
    )
    bank_entry = models.ForeignKey(BankEntry, on_delete=models.CASCADE, null=True, related_name="+")
    bits = BitField(length=64)
    headline = BitField(length=64, null=True)  # a render's; bank text has none

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(render__isnull=False, bank_entry__isnull=True)
                | Q(render__isnull=True, bank_entry__isnull=False),
                name="copyhash_one_subject",
            ),
            models.UniqueConstraint(fields=["render"], name="copyhash_once_per_render"),
        ]
        indexes = [
            models.Index(
                fields=["tenant"],
                include=["bits", "render", "bank_entry"],
                name="copyhash_exact_idx",
            ),
            HnswIndex(fields=["bits"], opclasses=["bit_hamming_ops"], name="copyhash_hnsw_idx"),
            models.Index(fields=["bank_entry"], name="copyhash_bankentry_idx"),
        ]

    def __str__(self) -> str:
        return f"copy hash {self.pk}"


class UploadBatch(TenantOwnedModel):
    """Files uploaded to the library together (many files or one zip), processed by a worker;
    its counters are the progress the dashboard and API show."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    kind = models.CharField(max_length=12, default="other")  # generation.Asset.Kind for all
    tags = models.JSONField(default=list, blank=True)  # given to every file of the batch
    product = models.ForeignKey(
        "generation.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archive_name = models.CharField(max_length=200, blank=True)  # when a zip was uploaded
    staged = models.CharField(max_length=300, blank=True)  # the zip, until it is read
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "-created_at"], name="uploadbatch_recent_idx")]
        verbose_name_plural = "upload batches"

    def __str__(self) -> str:
        return f"upload batch {self.pk} ({self.status})"


class UploadItem(TenantOwnedModel):
    """One file of a batch and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        STORED = "stored", _("Added")
        NEAR_DUPLICATE = "near_duplicate", _("Added, near-duplicate")
        DUPLICATE = "duplicate", _("Already in the library")
        FAILED = "failed", _("Refused")

    batch = models.ForeignKey(UploadBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    staged = models.CharField(max_length=300, blank=True)  # deleted once processed
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=300, blank=True)
    asset = models.ForeignKey(
        "generation.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    distance = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="uploaditem_position_unique")
        ]

    def __str__(self) -> str:
        return f"upload item {self.name} ({self.status})"


class AssetEmbedding(TenantOwnedModel):
    """A CLIP embedding of an asset's image (library.semantic), for semantic text search when
    a model is configured. The vector has the model's dimension, so the column has none: a
    brand's rows are compared exactly (an index needs a fixed dimension, i.e. one model)."""

    asset = models.ForeignKey("generation.Asset", on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=16)  # library.semantic.ClipModel.name
    vector = VectorField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "model"], name="assetembedding_once_per_model")
        ]
        indexes = [models.Index(fields=["tenant", "model"], name="assetembedding_brand_idx")]

    def __str__(self) -> str:
        return f"embedding of asset {self.asset_id} by model {self.model}"
