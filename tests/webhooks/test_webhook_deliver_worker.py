import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.context import tenant_scope
from webhooks.models import WebhookDelivery
from webhooks.services import deliveries_recover, event_publish, webhook_endpoint_create
from webhooks.signing import signature_verify
from webhooks.tasks import webhook_deliver_enqueue

from . import factories
from .factories import rows

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PAYLOAD = {"job": {"id": 42, "status": "failed", "renders": 2, "done": 0, "failed": 2}}


@pytest.fixture
def worker(start_worker):
    # The receiver is on loopback; retries wait about a second instead of ten.
    return start_worker(APP_WEBHOOKS_ALLOW_PRIVATE="true", APP_WEBHOOKS_RETRY_DELAYS="1,1")


def _endpoint(brand, owner, url):
    with tenant_scope(brand.pk, user_id=owner.pk):
        return webhook_endpoint_create(
            tenant=brand, user=owner, url=url, event_types=["job.finished", "job.failed"]
        )


def _wait_for(row, status: str, timeout: float = 30) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while True:
        (fresh,) = rows(WebhookDelivery, row.tenant, pk=row.pk)
        if fresh.status == status:
            return fresh
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery is {fresh.status} after {timeout}s, not {status}")
        time.sleep(0.1)


def test_a_500_is_retried_by_the_worker_and_then_succeeds(
    worker, brand, owner, receiver, allow_private
):
    endpoint = _endpoint(brand, owner, receiver.url())
    receiver.answer(500)
    with tenant_scope(brand.pk):
        (row,) = event_publish(tenant=brand, event_type="job.failed", payload=PAYLOAD)

    stored = _wait_for(row, "succeeded")

    first, second = receiver.wait_for(2)
    assert (stored.attempts, stored.last_response_code, stored.last_error) == (2, 200, "")
    assert [attempt["code"] for attempt in stored.attempt_log] == [500, 200]
    assert first.body == second.body
    assert {first.headers["Brandloom-Event-Id"], second.headers["Brandloom-Event-Id"]} == {
        str(row.event_id)
    }
    for request in (first, second):
        assert signature_verify(
            endpoint.secret, request.headers["Brandloom-Signature"], request.body
        )
    waited = (stored.attempt_log[1]["at"], stored.attempt_log[0]["at"])
    assert waited[0] > waited[1]


def test_a_400_fails_without_a_retry(worker, brand, owner, receiver, allow_private):
    _endpoint(brand, owner, receiver.url())
    receiver.answer(400, body=b"unknown event")
    with tenant_scope(brand.pk):
        (row,) = event_publish(tenant=brand, event_type="job.failed", payload=PAYLOAD)

    stored = _wait_for(row, "failed")
    time.sleep(2.5)  # longer than the retry delay: a retry would have arrived by now

    assert len(receiver.requests) == 1
    assert (stored.attempts, stored.last_response_code, stored.last_error) == (
        1,
        400,
        "HTTP 400: unknown event",
    )


def test_deliveries_are_queued_only_when_the_transaction_commits(
    worker, brand, owner, receiver, allow_private
):
    _endpoint(brand, owner, receiver.url())

    with pytest.raises(RuntimeError):
        with tenant_scope(brand.pk):
            event_publish(tenant=brand, event_type="job.failed", payload=PAYLOAD)
            raise RuntimeError("the job's own transaction fails")
    with tenant_scope(brand.pk):
        (row,) = event_publish(tenant=brand, event_type="job.finished", payload=PAYLOAD)
        # A task sent before the commit would run now, find no row, and never deliver.
        time.sleep(1.5)
        assert receiver.requests == []

    _wait_for(row, "succeeded")
    time.sleep(1)

    (request,) = receiver.requests
    assert request.headers["Brandloom-Event-Type"] == "job.finished"
    assert [d.pk for d in rows(WebhookDelivery, brand)] == [row.pk]


def test_a_duplicated_task_message_sends_once(worker, brand, owner, receiver, allow_private):
    _endpoint(brand, owner, receiver.url())
    receiver.answer(200, delay=1.5)  # both copies run while the first request is in flight
    with tenant_scope(brand.pk):
        (row,) = event_publish(tenant=brand, event_type="job.finished", payload=PAYLOAD)
    webhook_deliver_enqueue(tenant_id=brand.pk, delivery_id=row.pk)  # as a broker redelivery

    stored = _wait_for(row, "succeeded")
    time.sleep(2)

    assert len(receiver.requests) == 1
    assert stored.attempts == 1


def test_a_delivery_whose_message_was_lost_is_sent_by_the_recovery_sweep(
    worker, brand, owner, receiver, allow_private
):
    endpoint = _endpoint(brand, owner, receiver.url())
    # As Redis would leave it after losing the queued task: a pending row and no message.
    row = factories.delivery(
        endpoint, payload=PAYLOAD, next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    time.sleep(1)
    assert receiver.requests == []

    assert deliveries_recover() == 1

    stored = _wait_for(row, "succeeded")
    (request,) = receiver.wait_for(1)
    assert request.headers["Brandloom-Event-Id"] == str(row.event_id)
    assert stored.attempts == 1
