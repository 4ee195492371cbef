"""Celery entry point of webhook delivery: one attempt per run, retried on queue "io"."""

from celery import shared_task
from celery.app.task import Task
from django.conf import settings

from . import services

# Outbound HTTP waits on other people's servers: it has its own queue, away from renders.
QUEUE = "io"
SOFT_TIME_LIMIT = 30
TIME_LIMIT = 45  # services.ATTEMPT_LEASE must stay longer


def longest_countdown() -> float:
    # Redis hands an unacknowledged message (and a waiting countdown is one) to another worker
    # after the visibility timeout, again and again; so a long wait is taken in hops shorter
    # than that, and each hop asks the delivery row whether the attempt is due yet.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return max(1.0, float(visibility) / 2)


@shared_task(
    name="webhooks.webhook_deliver",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the delivery row counts attempts; see services.delivery_attempt
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def webhook_deliver(self: Task, *, tenant_id: int, delivery_id: int) -> str:
    """Attempt a delivery if it is due; schedule the next run while it is not settled.

    The service enters the tenant's scope itself, twice, so that no transaction stays open
    during the HTTP request.
    """
    result = services.delivery_attempt(tenant_id=tenant_id, delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=min(result.retry_in, longest_countdown()), queue=QUEUE)
    return result.status


def webhook_deliver_enqueue(*, tenant_id: int, delivery_id: int) -> None:
    """Queue the first attempt (call it from transaction.on_commit)."""
    webhook_deliver.apply_async(
        kwargs={"tenant_id": tenant_id, "delivery_id": delivery_id}, queue=QUEUE
    )


@shared_task(name="webhooks.deliveries_recover")
def deliveries_recover() -> int:
    """Beat: queue again the deliveries whose task message was lost."""
    return services.deliveries_recover()
