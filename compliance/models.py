"""Ad-law compliance rows: claim evidence, brand rules, price history, review items, platform
moderation cases, the decisions on them, and the findings kept for reports.

Every table is owned by a brand (row-level security). Staff read moderation cases across brands
through `tenants.context.unscoped(reason=...)`, as the staff billing pages do.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import ApiKey, TenantOwnedModel


class ClaimEvidence(TenantOwnedModel):
    """A brand's proof for a claim that needs one (销量第一, 获奖, 实验证明): the checker accepts
    the claim while the evidence is valid and cites it."""

    claim = models.CharField(max_length=40)  # an evidence kind the rules ask for ("award")
    title = models.CharField(max_length=200)
    issuer = models.CharField(max_length=200)
    document = models.FileField(max_length=300)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)  # None: does not expire
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="claimevidence_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "claim"], name="claimevidence_claim_idx")]
        verbose_name_plural = "claim evidence"

    def __str__(self) -> str:
        return f"{self.claim}: {self.title} ({self.issuer})"


class CustomRule(TenantOwnedModel):
    """A brand's own banned word or allowed phrase (a Team-plan feature)."""

    class Kind(models.TextChoices):
        BANNED = "banned", _("Banned word")
        ALLOWED = "allowed", _("Allowed phrase")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    phrase = models.CharField(max_length=100)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "phrase"], name="customrule_phrase_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.phrase}"


class PriceRecord(TenantOwnedModel):
    """A product's prices from `recorded_at` until its next record: the history that
    《明码标价和禁止价格欺诈规定》 Arts. 16–17 compare a crossed-out price with."""

    product = models.ForeignKey(
        "generation.Product", on_delete=models.CASCADE, related_name="price_records"
    )
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reference_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["tenant", "product", "recorded_at"], name="pricerecord_product_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.price} {self.currency} for product {self.product_id} at {self.recorded_at}"


class ReviewItem(TenantOwnedModel):
    """A render the brand's reviewers decide on: held at review by the check, or rejected by
    platform moderation (so that the brand sees it and may appeal). One per render."""

    class State(models.TextChoices):
        OPEN = "open", _("At review")
        ESCALATED = "escalated", _("Escalated to the platform")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPEALED = "appealed", _("Appealed")

    render = models.OneToOneField(
        "generation.Render", on_delete=models.CASCADE, related_name="review_item"
    )
    job = models.ForeignKey("generation.Job", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reason_code = models.CharField(max_length=32, blank=True)  # of a rejection
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by_staff = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "state", "-created_at"], name="reviewitem_state_idx")
        ]

    def __str__(self) -> str:
        return f"review of render {self.render_id} ({self.state})"


class ModerationCase(TenantOwnedModel):
    """A render on the platform's moderation queue, worked by staff across brands.

    First decision, then at most one appeal by the brand, decided by another staff member.
    """

    class Reason(models.TextChoices):
        BLOCK = "block", _("Blocked copy, rewritten automatically")
        ESCALATION = "escalation", _("Escalated by the brand")
        SAMPLE = "sample", _("Random sample of passed copy")

    class State(models.TextChoices):
        OPEN = "open", _("Waiting")
        CLAIMED = "claimed", _("Claimed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Stage(models.TextChoices):
        FIRST = "first", _("First decision")
        APPEAL = "appeal", _("Appeal")

    OPEN_STATES = (State.OPEN, State.CLAIMED)

    render = models.ForeignKey(
        "generation.Render", on_delete=models.CASCADE, related_name="moderation_cases"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.FIRST)
    due_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who took the first decision: an appeal must be decided by someone else.
    first_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason_code = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    appeal_message = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "render"], name="moderationcase_one_per_render"
            )
        ]
        indexes = [
            # The staff queue reads the few open cases of every brand, most urgent first.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state__in=["open", "claimed"]),
                name="moderationcase_queue_idx",
            ),
            models.Index(fields=["tenant", "state"], name="moderationcase_tenant_idx"),
        ]

    def __str__(self) -> str:
        return f"moderation of render {self.render_id} ({self.reason}, {self.state})"


class ComplianceDecision(TenantOwnedModel):
    """One decision on a render's review: who (member, API key or staff), when, why, and under
    which rule-set version. Written in the transaction that changes the render's state."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        EDIT = "edit", _("Edited the copy")
        ESCALATE = "escalate", _("Escalated")
        APPEAL = "appeal", _("Appealed")

    render = models.ForeignKey("generation.Render", on_delete=models.CASCADE, related_name="+")
    review_item = models.ForeignKey(
        ReviewItem, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    moderation_case = models.ForeignKey(
        ModerationCase, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    by_staff = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason_code = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    ruleset_version = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "render", "created_at"], name="decision_render_idx")
        ]

    def __str__(self) -> str:
        return f"{self.action} on render {self.render_id}"


class FindingRecord(TenantOwnedModel):
    """One finding of a generated copy's first check, kept for reports (per article, week)."""

    job = models.ForeignKey("generation.Job", on_delete=models.CASCADE, related_name="+")
    variant = models.PositiveSmallIntegerField()
    rule = models.CharField(max_length=80)
    family = models.CharField(max_length=40)
    reference = models.CharField(max_length=200)  # the legal article
    severity = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tenant", "created_at"], name="findingrecord_recent_idx")]

    def __str__(self) -> str:
        return f"{self.rule} in job {self.job_id} #{self.variant}"
