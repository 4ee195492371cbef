"""Plans, prices, the credit ledger and what we know of each brand's Stripe state.

Credits are exact decimals (2 places): a copy-only price can be a fraction of an image's.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant, TenantOwnedModel

ZERO = Decimal("0.00")


def credits_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, default=ZERO, **kwargs)  # type: ignore[arg-type]


class Plan(models.Model):
    """A plan a brand can be on (Free, Pro, Team): its price, monthly credits and limits."""

    class Resolution(models.TextChoices):
        STANDARD = "standard", _("Standard (up to 1080×1920)")
        HD = "hd", _("HD (up to 4096×4096)")

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    monthly_credits = credits_field()
    seats = models.PositiveSmallIntegerField(default=1)
    api_access = models.BooleanField(default=False)
    max_resolution = models.CharField(
        max_length=10, choices=Resolution.choices, default=Resolution.STANDARD
    )
    priority_lane = models.BooleanField(default=False)
    custom_rules = models.BooleanField(default=False)
    brand_kits = models.PositiveSmallIntegerField(default=1)
    api_rate_limit = models.CharField(max_length=20, blank=True, help_text="e.g. 600/min")
    # The Stripe recurring price that sells this plan; empty for Free.
    stripe_price_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    is_public = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CreditPack(models.Model):
    """A one-time purchase of credits that never expire."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    credits = credits_field()
    price_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="usd")
    stripe_price_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["credits"]

    def __str__(self) -> str:
        return self.name


class OperationPrice(models.Model):
    """What one operation costs in credits: the one price table estimates and charges read."""

    class Operation(models.TextChoices):
        IMAGE_STANDARD = "image_standard", _("Poster, standard resolution")
        IMAGE_HD = "image_hd", _("Poster, HD (over 1080×1920 pixels)")
        IMAGE_HOSTED = "image_hosted", _("Poster from a hosted or GPU image model")

    operation = models.CharField(max_length=30, choices=Operation.choices, unique=True)
    credits = credits_field()

    def __str__(self) -> str:
        return f"{self.operation}: {self.credits}"


class CreditAccount(TenantOwnedModel):
    """A brand's credit balances: the row every ledger write locks first.

    `granted` (this period's allowance, expires at `period_end`) and `purchased` (never
    expires) are spendable; `reserved_*` are held for running jobs, by the bucket they came from.
    """

    granted = credits_field()
    purchased = credits_field()
    reserved_granted = credits_field()
    reserved_purchased = credits_field()
    allowance = credits_field()  # granted at the start of this period: the base of the notices
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="creditaccount_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(granted__gte=0)
                & Q(purchased__gte=0)
                & Q(reserved_granted__gte=0)
                & Q(reserved_purchased__gte=0),
                name="creditaccount_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"credits of {self.tenant_id}"

    @property
    def available(self) -> Decimal:
        return self.granted + self.purchased

    @property
    def reserved(self) -> Decimal:
        return self.reserved_granted + self.reserved_purchased


class LedgerEntry(TenantOwnedModel):
    """One change to a brand's credits; append-only (a trigger refuses UPDATE and DELETE)."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Monthly grant")
        PURCHASE = "purchase", _("Purchase")
        RESERVE = "reserve", _("Reserved")
        CAPTURE = "capture", _("Charged")
        RELEASE = "release", _("Released")
        REFUND = "refund", _("Refunded")
        EXPIRE = "expire", _("Expired")
        ADJUSTMENT = "adjustment", _("Adjustment")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Signed changes to each balance of the account; their running sums are the account.
    granted_delta = credits_field()
    purchased_delta = credits_field()
    reserved_granted_delta = credits_field()
    reserved_purchased_delta = credits_field()
    available_after = credits_field()
    reserved_after = credits_field()
    idempotency_key = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)  # "job:12", "invoice:in_…"
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="ledgerentry_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="ledgerentry_recent_idx"),
            models.Index(fields=["tenant", "reference"], name="ledgerentry_reference_idx"),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.available_delta} ({self.idempotency_key})"

    @property
    def available_delta(self) -> Decimal:
        return self.granted_delta + self.purchased_delta

    @property
    def reserved_delta(self) -> Decimal:
        return self.reserved_granted_delta + self.reserved_purchased_delta


class CreditHold(TenantOwnedModel):
    """Credits held for one job (`reference`), split by the bucket they were taken from."""

    reference = models.CharField(max_length=100)
    granted = credits_field()  # still held
    purchased = credits_field()
    captured = credits_field()
    # The allowance period the held granted credits belong to: released after it, they expire.
    period_end = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="credithold_reference"),
            models.CheckConstraint(
                condition=Q(granted__gte=0) & Q(purchased__gte=0), name="credithold_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"hold {self.reference}"

    @property
    def held(self) -> Decimal:
        return self.granted + self.purchased


class BalanceNotice(TenantOwnedModel):
    """A low-balance notice sent once per allowance period and threshold (80%, 100% used)."""

    period_end = models.DateTimeField()
    threshold = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period_end", "threshold"], name="balancenotice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.threshold}% notice for {self.tenant_id}"


class Subscription(TenantOwnedModel):
    """The plan a brand is on, mirrored from Stripe when it is a paid one."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TRIALING = "trialing", _("Trialing")
        PAST_DUE = "past_due", _("Past due")
        UNPAID = "unpaid", _("Unpaid")
        INCOMPLETE = "incomplete", _("Incomplete")
        CANCELED = "canceled", _("Cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    stripe_subscription_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # After a failed payment the plan's limits hold until then; past it the brand is on Free.
    grace_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="subscription_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} for {self.tenant_id} ({self.status})"


class StripeCustomer(TenantOwnedModel):
    """Our mapping of a Stripe customer to a brand: the only way an event finds its brand."""

    customer_id = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="stripecustomer_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return self.customer_id


class CheckoutSession(TenantOwnedModel):
    """A Stripe Checkout we opened: what it sells, to which brand, and whether it completed."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Subscription")
        PACK = "pack", _("Credit pack")

    session_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pack = models.ForeignKey(
        CreditPack, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_intent_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.session_id


class CreditPurchase(TenantOwnedModel):
    """Credits bought with one payment, and how many were clawed back after a refund."""

    pack = models.ForeignKey(CreditPack, on_delete=models.PROTECT, related_name="+")
    credits = credits_field()
    # Credits the refunds so far cover (taken back as far as they were still unspent).
    refunded_credits = credits_field()
    checkout_session_id = models.CharField(max_length=200, unique=True)
    payment_intent_id = models.CharField(max_length=100, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.credits} credits ({self.payment_intent_id})"


class StripeEvent(models.Model):
    """A webhook event, stored once by its id before it is processed (platform-wide)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored (type not handled)")
        FLAGGED = "flagged", _("Flagged for staff")

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    stripe_created = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(blank=True)
    # Not `tenant`: this is a platform table that staff read across brands (see tenants.E001).
    matched_tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"], name="stripeevent_status_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
