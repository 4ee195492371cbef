"""The events a brand can subscribe its webhook endpoints to: the one list forms, API and docs read.

Adding an event type: add it here, document its `data` in docs/webhooks.md, and publish it with
`webhooks.services.event_publish(tenant=..., event_type=EventType.X, payload={...})`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    JOB_FINISHED = "job.finished", _("a job ended with at least one image")
    JOB_FAILED = "job.failed", _("a job ended without any image")
