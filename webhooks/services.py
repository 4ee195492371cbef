"""Webhook endpoints and event deliveries: registering, publishing, and one delivery attempt.

Other apps call `event_publish` (after a job finishes, for example) and nothing else; the
delivery itself runs in the `webhook_deliver` task on queue "io".
"""

import json
import logging
import random
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.audit import audit_record
from tenants.context import tenant_scope, unscoped
from tenants.models import Tenant
from tenants.roles import Permission
from tenants.services import require_permission

from . import conf, delivery, signing, tasks, url_policy
from .events import EventType
from .models import SECRET_PREFIX, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_BRAND = 20
# An attempt in flight holds its delivery this long, so that a copy of the task the broker
# redelivered meanwhile waits instead of sending it a second time. Longer than the task's hard
# time limit, so a live attempt never outlasts its hold.
ATTEMPT_LEASE = timedelta(minutes=2)
# A countdown may fire a moment before the due time by the database's clock.
EARLY_TOLERANCE = timedelta(seconds=2)
ERROR_LENGTH = 300
RECOVER_LIMIT = 1000  # per sweep; the next sweep takes the rest
# Event ids derived from an idempotency key live in this namespace (uuid5).
_EVENT_NAMESPACE = uuid.UUID("8f9d3c1e-6b1a-4e55-9d1b-3a1c0e5b7a42")


# ENDPOINTS
# ------------------------------------------------------------------------------


def _secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    if not chosen:
        raise ValidationError(_("Choose at least one event."))
    unknown = sorted(set(chosen) - set(EventType.values))
    if unknown:
        raise ValidationError(
            _("Unknown event type: %(types)s. Known event types: %(known)s.")
            % {"types": ", ".join(unknown), "known": ", ".join(EventType.values)}
        )
    return chosen


def webhook_endpoint_create(
    *,
    tenant: Tenant,
    user: User | None,
    url: str,
    event_types: Iterable[str],
    description: str = "",
) -> WebhookEndpoint:
    """Register an endpoint with a new signing secret (`endpoint.secret`: show it to the caller).

    `user=None` is the system; a person needs MANAGE_BRAND (PermissionDenied otherwise).
    Raises ValidationError, keyed by field, for a URL that may not receive webhooks (not https,
    or a private, loopback, link-local or unresolvable host) and for unknown event types.
    """
    if user is not None:
        require_permission(tenant=tenant, user=user, permission=Permission.MANAGE_BRAND)
    errors: dict[str, list[str]] = {}
    clean_url = ""
    try:
        clean_url = url_policy.url_check(url, allow_private=conf.allow_private())
    except (url_policy.UrlNotAllowed, url_policy.UrlNotResolved) as error:
        errors["url"] = [str(error)]
    clean_types: list[str] = []
    try:
        clean_types = _clean_event_types(event_types)
    except ValidationError as error:
        errors["event_types"] = error.messages
    description = description.strip()
    if len(description) > 200:
        errors["description"] = [_("Keep the description under 200 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if WebhookEndpoint.objects.filter(tenant=tenant).count() >= MAX_ENDPOINTS_PER_BRAND:
            raise ValidationError(
                _("A brand can have at most %(max)d webhook endpoints; delete one first.")
                % {"max": MAX_ENDPOINTS_PER_BRAND}
            )
        endpoint = WebhookEndpoint.objects.create(
            tenant=tenant,
            url=clean_url,
            description=description,
            secret=_secret_generate(),
            event_types=clean_types,
            created_by=user,
        )
        audit_record(
            tenant=tenant,
            actor=user,
            action="webhook_endpoint.created",
            target=endpoint,
            data={"url": clean_url, "event_types": clean_types},
        )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, tenant: Tenant, user: User | None, endpoint_id: int) -> None:
    """Delete an endpoint and its delivery history; attempts still queued find nothing to send.

    Raises PermissionDenied without MANAGE_BRAND, WebhookEndpoint.DoesNotExist for an id that
    is not this brand's.
    """
    if user is not None:
        require_permission(tenant=tenant, user=user, permission=Permission.MANAGE_BRAND)
    endpoint = WebhookEndpoint.objects.select_for_update().get(tenant=tenant, pk=endpoint_id)
    audit_record(
        tenant=tenant,
        actor=user,
        action="webhook_endpoint.deleted",
        target=endpoint,
        data={"url": endpoint.url, "event_types": endpoint.event_types},
    )
    endpoint.delete()


# PUBLISHING
# ------------------------------------------------------------------------------


def event_publish(
    *,
    tenant: Tenant,
    event_type: str,
    payload: Mapping[str, Any],
    idempotency_key: str = "",
) -> list[WebhookDelivery]:
    """One delivery of the event per active endpoint subscribed to `event_type`.

    Runs in the caller's transaction and tenant scope; the deliveries are queued when that
    transaction commits, so nothing is sent for work that rolls back. With an `idempotency_key`
    (say f"job:{job.pk}") the event id is derived from it: publishing the same event again
    returns the deliveries made the first time and queues nothing. Raises ValueError for an
    unknown event type and TypeError for a payload that is not JSON-serialisable.
    """
    if event_type not in EventType.values:
        raise ValueError(f"unknown webhook event type {event_type!r}; add it to webhooks.events")
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))  # stored exactly as sent
    if idempotency_key:
        event_id = uuid.uuid5(_EVENT_NAMESPACE, f"{tenant.pk}:{event_type}:{idempotency_key}")
    else:
        event_id = uuid.uuid4()
    now = timezone.now()
    deliveries: list[WebhookDelivery] = []
    with transaction.atomic():
        endpoints = WebhookEndpoint.objects.filter(
            tenant=tenant, is_active=True, event_types__contains=[event_type]
        ).order_by("pk")
        for endpoint in endpoints:
            row, created = WebhookDelivery.objects.get_or_create(
                tenant=tenant,
                endpoint=endpoint,
                event_id=event_id,
                defaults={
                    "event_type": event_type,
                    "payload": data,
                    "created_at": now,
                    "next_attempt_at": now,
                },
            )
            deliveries.append(row)
            if created:
                # robust: a broker outage must not fail the caller's already committed work.
                transaction.on_commit(
                    partial(tasks.webhook_deliver_enqueue, tenant_id=tenant.pk, delivery_id=row.pk),
                    robust=True,
                )
    if deliveries:
        logger.info(
            "webhook.event_published",
            extra={"tenant_id": tenant.pk, "event_type": event_type, "event_id": str(event_id)},
        )
    return deliveries


def event_body(row: WebhookDelivery) -> bytes:
    """The request body: the same bytes in every attempt, so receivers can compare them."""
    envelope = {
        "id": str(row.event_id),
        "type": row.event_type,
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
        "brand_id": row.tenant_id,
        "data": row.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


# DELIVERY
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    status: str  # the delivery's status afterwards; "" when it no longer exists
    retry_in: float | None  # seconds until the task should run again; None: nothing left to do


@dataclass(frozen=True)
class _Claim:
    attempt: int
    url: str
    secret: str
    body: bytes
    event_id: str
    event_type: str


@dataclass(frozen=True)
class _Outcome:
    code: int | None
    error: str
    succeeded: bool = False
    retryable: bool = False


def _short(text: str) -> str:
    return " ".join(text.split())[:ERROR_LENGTH]


def _claim(*, tenant_id: int, delivery_id: int, now: datetime) -> _Claim | AttemptResult:
    row = (
        WebhookDelivery.objects.select_for_update(no_key=True, of=("self",))
        .select_related("endpoint")
        .filter(tenant_id=tenant_id, pk=delivery_id)
        .first()
    )
    if row is None:
        return AttemptResult(status="", retry_in=None)
    if row.status in WebhookDelivery.FINAL:
        return AttemptResult(status=row.status, retry_in=None)
    if row.next_attempt_at is not None and row.next_attempt_at > now + EARLY_TOLERANCE:
        return AttemptResult(
            status=row.status, retry_in=(row.next_attempt_at - now).total_seconds()
        )
    if not row.endpoint.is_active:
        row.status = WebhookDelivery.Status.FAILED
        row.last_error = _("The endpoint was disabled.")
        row.next_attempt_at = None
        row.save(update_fields=["status", "last_error", "next_attempt_at"])
        return AttemptResult(status=row.status, retry_in=None)
    row.attempts += 1
    row.last_attempt_at = now
    row.next_attempt_at = now + ATTEMPT_LEASE
    row.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return _Claim(
        attempt=row.attempts,
        url=row.endpoint.url,
        secret=row.endpoint.secret,
        body=event_body(row),
        event_id=str(row.event_id),
        event_type=row.event_type,
    )


def _classify(answer: delivery.HttpAnswer) -> _Outcome:
    code = answer.status
    detail = f"HTTP {code}: {answer.excerpt}" if answer.excerpt.strip() else f"HTTP {code}"
    if 200 <= code < 300:
        return _Outcome(code=code, error="", succeeded=True)
    if 300 <= code < 400:
        message = _(
            "HTTP %(code)d: redirects are not followed (to %(location)s); register the final URL."
        )
        location = answer.location or "?"
        return _Outcome(code=code, error=message % {"code": code, "location": location})
    if code in (408, 429) or code >= 500:
        return _Outcome(code=code, error=detail, retryable=True)
    return _Outcome(code=code, error=detail)


def _send(claim: _Claim) -> _Outcome:
    try:
        target = url_policy.target_resolve(claim.url, allow_private=conf.allow_private())
    except url_policy.UrlNotAllowed as error:
        return _Outcome(code=None, error=str(error))  # e.g. the name now resolves to 127.0.0.1
    except url_policy.UrlNotResolved as error:
        return _Outcome(code=None, error=str(error), retryable=True)
    headers = {
        signing.EVENT_ID_HEADER: claim.event_id,
        signing.EVENT_TYPE_HEADER: claim.event_type,
        signing.ATTEMPT_HEADER: str(claim.attempt),
        signing.SIGNATURE_HEADER: signing.signature_header(claim.secret, claim.body),
    }
    try:
        answer = delivery.post(
            target=target, body=claim.body, headers=headers, ca_bundle=conf.ca_bundle()
        )
    except delivery.DeliveryError as error:
        return _Outcome(code=None, error=str(error), retryable=True)
    except Exception as error:  # e.g. the task's soft time limit: recorded, then retried
        logger.exception("webhook.attempt_crashed", extra={"event_id": claim.event_id})
        return _Outcome(code=None, error=f"{type(error).__name__}: {error}", retryable=True)
    return _classify(answer)


def _backoff(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: the schedule's delay, ±20% so retries spread out."""
    base = conf.retry_delays()[attempt - 1]
    return base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


def _record(
    *, tenant_id: int, delivery_id: int, claim: _Claim, outcome: _Outcome, elapsed_ms: int
) -> AttemptResult:
    row = (
        WebhookDelivery.objects.select_for_update(no_key=True)
        .filter(tenant_id=tenant_id, pk=delivery_id)
        .first()
    )
    if row is None:  # the endpoint was deleted while the request was in flight
        return AttemptResult(status="", retry_in=None)
    if row.attempts != claim.attempt or row.status in WebhookDelivery.FINAL:
        return AttemptResult(status=row.status, retry_in=None)  # a later attempt owns it now
    now = timezone.now()
    error = _short(outcome.error)
    row.attempt_log = [
        *row.attempt_log,
        {"at": now.isoformat(), "code": outcome.code, "error": error, "ms": elapsed_ms},
    ]
    row.last_response_code = outcome.code
    row.last_error = error
    retry_in: float | None = None
    max_attempts = len(conf.retry_delays()) + 1
    if outcome.succeeded:
        row.status = WebhookDelivery.Status.SUCCEEDED
        row.delivered_at = now
        row.next_attempt_at = None
    elif outcome.retryable and row.attempts < max_attempts:
        retry_in = _backoff(row.attempts)
        row.status = WebhookDelivery.Status.RETRYING
        row.next_attempt_at = now + timedelta(seconds=retry_in)
    else:
        row.status = WebhookDelivery.Status.FAILED
        row.next_attempt_at = None
    row.save(
        update_fields=[
            "attempt_log",
            "last_response_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    logger.info(
        "webhook.attempted",
        extra={
            "tenant_id": tenant_id,
            "delivery_id": delivery_id,
            "endpoint_id": row.endpoint_id,
            "attempt": row.attempts,
            "code": outcome.code,
            "status": row.status,
        },
    )
    return AttemptResult(status=row.status, retry_in=retry_in)


def deliveries_recover(*, now: datetime | None = None) -> int:
    """Queue again every unsettled delivery long past its due time: its task message was lost.

    A beat sweep across brands. A delivery whose task is alive is attempted when due (a wait
    is taken in hops shorter than `recover_after`), so one overdue by that much has no task
    left: Redis lost it, or it was never queued (the broker was down at commit), or it crashed
    outside the HTTP request. Queuing one twice is harmless: `delivery_attempt` claims the row.
    Returns how many were queued.
    """
    now = now or timezone.now()
    recover_after = timedelta(seconds=max(900.0, 2 * tasks.longest_countdown()))
    with unscoped(reason="webhook delivery recovery sweep"):
        overdue = list(
            WebhookDelivery.all_tenants.filter(
                status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
                next_attempt_at__lt=now - recover_after,
            )
            .order_by("next_attempt_at")
            .values_list("pk", "tenant_id")[:RECOVER_LIMIT]
        )
        # Due now: the next sweep leaves them alone until they are overdue again.
        WebhookDelivery.all_tenants.filter(pk__in=[pk for pk, _ in overdue]).update(
            next_attempt_at=now
        )

        def send() -> None:
            for delivery_id, tenant_id in overdue:
                tasks.webhook_deliver_enqueue(tenant_id=tenant_id, delivery_id=delivery_id)

        transaction.on_commit(send)
    if overdue:
        logger.warning("webhook.deliveries_recovered", extra={"count": len(overdue)})
    return len(overdue)


def delivery_attempt(*, tenant_id: int, delivery_id: int) -> AttemptResult:
    """Send the delivery if an attempt is due, record the outcome, and say when to try again.

    Idempotent: a succeeded or failed delivery is never sent again; one not due yet is left
    alone (`retry_in` is the wait); an attempt in flight holds the delivery for ATTEMPT_LEASE,
    so a redelivered copy of the task cannot send it twice at once. 2xx succeeds; network
    errors, timeouts, 408, 429 and 5xx are retried on the schedule (APP_WEBHOOKS_RETRY_DELAYS);
    anything else, and an address the URL policy refuses now, fails at once.

    Opens its own tenant scopes: the HTTP request runs between two short transactions rather
    than inside one, so a slow receiver holds no row lock and no database transaction.
    """
    with tenant_scope(tenant_id):
        claimed = _claim(tenant_id=tenant_id, delivery_id=delivery_id, now=timezone.now())
    if isinstance(claimed, AttemptResult):
        return claimed
    started = time.monotonic()
    outcome = _send(claimed)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    with tenant_scope(tenant_id):
        return _record(
            tenant_id=tenant_id,
            delivery_id=delivery_id,
            claim=claimed,
            outcome=outcome,
            elapsed_ms=elapsed_ms,
        )
