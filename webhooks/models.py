"""Outbound webhooks: a brand's endpoints and every event delivery to them."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import TenantOwnedModel

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret


class WebhookEndpoint(TenantOwnedModel):
    """A URL of the brand's that receives signed POSTs for the event types it subscribed to.

    The secret is stored in clear because signing needs it on every delivery (docs/webhooks.md,
    "Secrets"); the dashboard and API show it once, when the endpoint is created.
    """

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80)
    event_types = ArrayField(models.CharField(max_length=64))
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "created_at"], name="webhookendpoint_tenant_created")
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell two apart, never enough to use it."""
        return f"{self.secret[: len(SECRET_PREFIX) + 4]}…"


class WebhookDelivery(TenantOwnedModel):
    """One event sent to one endpoint, with the outcome of every attempt so far."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    FINAL = (Status.SUCCEEDED, Status.FAILED)

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=64)
    # The event's id: the same in every attempt and for every endpoint the event went to, so a
    # receiver can drop the duplicates that at-least-once delivery produces.
    event_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # Per attempt: {"at", "code", "error", "ms"}; bounded by the retry schedule (8 by default).
    attempt_log = models.JSONField(default=list, blank=True)
    # When the next attempt is due (set when the event is published); while an attempt is in
    # flight, when its claim expires; empty once the delivery is settled.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "endpoint", "event_id"], name="webhookdelivery_event_once"
            ),
            models.CheckConstraint(
                condition=Q(status="succeeded", delivered_at__isnull=False)
                | (~Q(status="succeeded") & Q(delivered_at__isnull=True)),
                name="webhookdelivery_delivered_iff_succeeded",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="webhookdelivery_recent"),
            models.Index(fields=["tenant", "status", "-created_at"], name="webhookdelivery_status"),
            # The recovery sweep's cross-brand scan, over unsettled rows only.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "retrying"]),
                name="webhookdelivery_unsettled",
            ),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → endpoint {self.endpoint_id} ({self.status})"
