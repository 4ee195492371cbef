"""Brand kits, catalog, asset library, jobs and renders."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pgvector.django import BitField

from tenants.models import ApiKey, TenantOwnedModel


def _default_palette() -> dict[str, str]:
    return {
        "primary": "#C2410C",
        "secondary": "#FDBA74",
        "accent": "#0F766E",
        "background": "#FFF7ED",
        "text": "#1F2937",
    }


class BrandKit(TenantOwnedModel):
    """One immutable version of a brand's kit; editing the kit writes the next version."""

    class FontFamily(models.TextChoices):
        SANS = "sans", _("Sans (Noto Sans SC)")
        SERIF = "serif", _("Serif (Noto Serif SC)")

    version = models.PositiveIntegerField()
    palette = models.JSONField(default=_default_palette)
    font_family = models.CharField(max_length=12, choices=FontFamily.choices, default="sans")
    logo = models.FileField(max_length=300, blank=True)
    tone_of_voice = models.CharField(max_length=300, blank=True)
    banned_words = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    preferred_layouts = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    language = models.CharField(max_length=8, default="zh")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="brandkit_version_unique"),
        ]

    def __str__(self) -> str:
        return f"brand kit v{self.version} of {self.tenant_id}"


class Product(TenantOwnedModel):
    """A catalog product: the facts copy may state and the photo a poster shows."""

    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    # A crossed-out price may only be shown with its basis (《明码标价和禁止价格欺诈规定》).
    reference_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reference_price_basis = models.CharField(max_length=100, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="product_sku_unique"),
            models.CheckConstraint(
                condition=Q(reference_price__isnull=True) | ~Q(reference_price_basis=""),
                name="product_reference_price_has_basis",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="product_recent_idx")]

    def __str__(self) -> str:
        return f"{self.sku} {self.title}"


class ProductPhoto(TenantOwnedModel):
    """A validated, normalised photo of a product; one with transparency is a cut-out."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(max_length=300)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    has_alpha = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["tenant", "product"], name="productphoto_product_idx")]

    def __str__(self) -> str:
        return f"photo {self.pk} of product {self.product_id}"


class Asset(TenantOwnedModel):
    """A stored, finished image in the brand's library. Identical renders share one asset.

    Its id is the ProduceID of the file's AI-generated metadata and the asset id its invisible
    watermark carries (provenance.labelling), so the row exists before its file is written.
    """

    class Origin(models.TextChoices):
        GENERATED = "generated", _("Generated here")
        LABELLED = "labelled", _("Made elsewhere, labelled here")
        UPLOADED = "uploaded", _("Uploaded to the library")

    class Kind(models.TextChoices):
        POSTER = "poster", _("Poster")
        PRODUCT = "product", _("Product")
        PROP = "prop", _("Prop")
        BACKGROUND = "background", _("Background")
        MODEL = "model", _("Model")
        OTHER = "other", _("Other")

    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.GENERATED)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.POSTER)
    file = models.FileField(max_length=300)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # The digest of everything that decides the pixels: the render cache looks assets up by it.
    render_key = models.CharField(max_length=64)
    receipt = models.JSONField(default=dict)
    # What the file carries: the visible label, the TC260 metadata, the watermark payload and
    # whether a C2PA manifest was signed (provenance.labelling.Marks.as_json()).
    marks = models.JSONField(default=dict, blank=True)
    # PDQ of the delivered pixels: finds the asset again when its metadata and watermark are gone.
    pdq = BitField(length=256, null=True, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # The library's description (library.describe): what search and filters read.
    name = models.CharField(max_length=200, blank=True)  # the uploaded file's name
    caption = models.CharField(max_length=500, blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    product = models.ForeignKey(
        "Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    colours = models.JSONField(default=list, blank=True)  # library.colours swatches, by share
    # Space-separated lexemes (jieba for Chinese) for to_tsvector('simple', ...).
    search_document = models.TextField(blank=True)
    # A near-duplicate of an earlier asset of the brand: its cluster's first asset.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    duplicate_distance = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "render_key"], name="asset_render_key_unique")
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="asset_recent_idx"),
            models.Index(
                fields=["tenant", "duplicate_of"],
                condition=Q(duplicate_of__isnull=False),
                name="asset_duplicates_idx",
            ),
            # Library search (library.search): full text over jieba lexemes, and trigrams for
            # partial words and typos; both filtered to the brand by asset_recent_idx.
            GinIndex(SearchVector("search_document", config="simple"), name="asset_search_fts_idx"),
            GinIndex(
                fields=["search_document"], opclasses=["gin_trgm_ops"], name="asset_search_trgm_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"asset {self.pk} ({self.width}×{self.height})"


class Job(TenantOwnedModel):
    """One request for copy and images: channels × variants renders, tracked to the end."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIALLY_FAILED = "partially_failed", _("Partially failed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Lane(models.TextChoices):
        INTERACTIVE = "interactive", _("Interactive")
        BULK = "bulk", _("Bulk")

    FINISHED = (Status.SUCCEEDED, Status.PARTIALLY_FAILED, Status.FAILED, Status.CANCELLED)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    lane = models.CharField(max_length=12, choices=Lane.choices, default=Lane.INTERACTIVE)
    script = models.TextField(blank=True)
    analysis = models.JSONField(null=True, blank=True)
    product_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    channels = ArrayField(models.CharField(max_length=40))
    variants = models.PositiveSmallIntegerField()
    text_backend = models.CharField(max_length=40)
    image_backend = models.CharField(max_length=40)
    output_format = models.CharField(max_length=8, default="jpeg")
    seed = models.BigIntegerField()
    brand_kit = models.ForeignKey(BrandKit, on_delete=models.PROTECT, related_name="+")
    # A library image the posters use as their background, or whose colours steer the palette.
    reference_asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference_use = models.CharField(max_length=12, blank=True)  # "background" | "style"
    # NULL, not "", for "no key": the partial unique constraint ignores NULLs.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=64, blank=True)
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, related_name="+")
    # Credits per render by channel, priced at submit; the reservation is their sum.
    render_prices = models.JSONField(default=dict, blank=True)
    credits_reserved = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    error = models.TextField(blank=True)
    # The ad-law check at planning: variants whose copy stayed blocked after the automatic
    # rewrites are dropped (no render); the summary says how many were checked, rewritten, held
    # and dropped, and why each dropped one was (compliance.pipeline).
    variants_dropped = models.PositiveSmallIntegerField(default=0)
    compliance_summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    planned_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="job_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(variants__gte=1) & Q(variants__lte=200), name="job_variants_range"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="job_recent_idx"),
            models.Index(fields=["tenant", "status", "-created_at"], name="job_status_idx"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def credit_reference(self) -> str:
        """The job's name in the credit ledger (its hold, captures and release)."""
        return f"job:{self.pk}"

    def render_price(self, channel: str) -> Decimal:
        return Decimal(self.render_prices.get(channel, "0"))


# Redis priorities: 0 is served first, so interactive renders overtake a bulk backlog.
LANE_PRIORITY = {Job.Lane.INTERACTIVE: 0, Job.Lane.BULK: 6}


class Render(TenantOwnedModel):
    """One image of a job: a channel × variant. PostgreSQL holds its state, not the broker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class ComplianceState(models.TextChoices):
        """Whether the brand may take the render's asset (decided by compliance, not here)."""

        UNCHECKED = "unchecked", _("Not checked")  # rendered before the ad-law check existed
        PASSED = "passed", _("Passed")
        HELD = "held", _("Held for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    RELEASED = (ComplianceState.UNCHECKED, ComplianceState.PASSED, ComplianceState.APPROVED)

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="renders")
    channel = models.CharField(max_length=40)
    variant = models.PositiveSmallIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    layout = models.CharField(max_length=40, blank=True)
    seed = models.BigIntegerField()
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    copy = models.JSONField()  # the checked (possibly rewritten) copy the poster shows
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    compliance_state = models.CharField(
        max_length=12, choices=ComplianceState.choices, default=ComplianceState.UNCHECKED
    )
    compliance_verdict = models.CharField(max_length=8, blank=True)  # of the copy's last check
    ruleset_version = models.CharField(max_length=64, blank=True)
    # The last check's findings (spans per copy field) and citations, how many automatic
    # rewrites it took and the copy the text backend wrote before them.
    compliance = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    asset = models.ForeignKey(
        Asset, on_delete=models.SET_NULL, null=True, blank=True, related_name="renders"
    )
    is_cache_hit = models.BooleanField(default=False)
    # Near-duplicate checks (library.dedup): how many draws were thrown away as too close, and
    # what the delivered one is still too close to when the bound ran out.
    redraws = models.PositiveSmallIntegerField(default=0)
    duplicate = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "channel", "variant"], name="render_one_per_channel_variant"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "job", "status"], name="render_job_status_idx"),
            # The stuck-render sweep reads only the few pending rows, across brands.
            models.Index(
                fields=["enqueued_at"], condition=Q(status="pending"), name="render_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"render {self.pk} {self.channel}#{self.variant} ({self.status})"

    @property
    def is_released(self) -> bool:
        """The brand may download the asset: it passed the check or a reviewer approved it."""
        return self.compliance_state in self.RELEASED
