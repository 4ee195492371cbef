import uuid
from decimal import Decimal

import pytest

from tenants.context import tenant_scope
from tests.tenants.factories import TenantFactory
from webhooks.models import WebhookDelivery
from webhooks.services import event_publish

from . import factories
from .factories import rows

pytestmark = pytest.mark.django_db

PAYLOAD = {"job": {"id": 42, "status": "succeeded", "renders": 4, "done": 4, "failed": 0}}


def _publish(brand, event_type="job.finished", payload=PAYLOAD, **options):
    with tenant_scope(brand.pk):
        return event_publish(tenant=brand, event_type=event_type, payload=payload, **options)


def test_one_delivery_per_active_subscribed_endpoint(brand, django_capture_on_commit_callbacks):
    both = factories.endpoint(brand, url="https://a.example.com/")
    finished_only = factories.endpoint(brand, event_types=["job.finished"])
    factories.endpoint(brand, event_types=["job.failed"])
    factories.endpoint(brand, is_active=False)
    factories.endpoint(TenantFactory())  # another brand's endpoint hears nothing of ours

    with django_capture_on_commit_callbacks() as queued:
        deliveries = _publish(brand)

    assert [d.endpoint_id for d in deliveries] == [both.pk, finished_only.pk]
    stored = rows(WebhookDelivery, brand)
    assert [(d.endpoint_id, d.event_type, d.status, d.attempts, d.payload) for d in stored] == [
        (both.pk, "job.finished", "pending", 0, PAYLOAD),
        (finished_only.pk, "job.finished", "pending", 0, PAYLOAD),
    ]
    assert len({d.event_id for d in stored}) == 1  # one event, one id, at every endpoint
    assert len(queued) == 2


def test_nothing_is_queued_until_the_transaction_commits(brand, django_capture_on_commit_callbacks):
    factories.endpoint(brand)

    with django_capture_on_commit_callbacks() as queued:
        with pytest.raises(RuntimeError):
            with tenant_scope(brand.pk):
                event_publish(tenant=brand, event_type="job.failed", payload=PAYLOAD)
                raise RuntimeError("the job's transaction fails after publishing")

    assert queued == []
    assert rows(WebhookDelivery, brand) == []


def test_an_idempotency_key_publishes_an_event_once(brand, django_capture_on_commit_callbacks):
    factories.endpoint(brand)

    with django_capture_on_commit_callbacks() as queued:
        first = _publish(brand, idempotency_key="job:42")
        again = _publish(brand, idempotency_key="job:42")
        other = _publish(brand, event_type="job.failed", idempotency_key="job:42")

    assert [d.pk for d in again] == [d.pk for d in first]
    assert other[0].event_id != first[0].event_id
    assert first[0].event_id == uuid.uuid5(
        uuid.UUID("8f9d3c1e-6b1a-4e55-9d1b-3a1c0e5b7a42"), f"{brand.pk}:job.finished:job:42"
    )
    assert len(rows(WebhookDelivery, brand)) == 2
    assert len(queued) == 2


def test_a_brand_without_endpoints_publishes_nothing(brand, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        assert _publish(brand) == []

    assert queued == []


def test_an_unknown_event_type_is_a_programming_error(brand):
    factories.endpoint(brand)

    with pytest.raises(ValueError, match=r"unknown webhook event type 'job\.exploded'"):
        _publish(brand, event_type="job.exploded")

    assert rows(WebhookDelivery, brand) == []


def test_the_payload_is_stored_as_json(brand):
    factories.endpoint(brand)

    _publish(brand, payload={"price": Decimal("9.90"), "id": uuid.UUID(int=1)})

    assert rows(WebhookDelivery, brand)[0].payload == {
        "price": "9.90",
        "id": "00000000-0000-0000-0000-000000000001",
    }


def test_a_payload_that_is_not_json_is_refused(brand):
    factories.endpoint(brand)

    with pytest.raises(TypeError):
        _publish(brand, payload={"oops": object()})


def test_deliveries_are_sent_to_the_io_queue(
    brand, redis_client, django_capture_on_commit_callbacks
):
    factories.endpoint(brand)
    factories.endpoint(brand)

    with django_capture_on_commit_callbacks(execute=True):
        _publish(brand)

    assert (redis_client.llen("io"), redis_client.llen("default")) == (2, 0)
