from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.context import unscoped
from tests.tenants.factories import TenantFactory
from webhooks.models import WebhookDelivery
from webhooks.services import deliveries_recover

from . import factories

pytestmark = pytest.mark.django_db


def _next_attempts() -> dict[int, object]:
    with unscoped(reason="test: read every brand's deliveries"):
        return dict(WebhookDelivery.all_tenants.values_list("pk", "next_attempt_at"))


def test_deliveries_long_overdue_in_any_brand_are_queued_again(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    long_ago, recently = now - timedelta(minutes=16), now - timedelta(minutes=5)
    mine, theirs = factories.endpoint(TenantFactory()), factories.endpoint(TenantFactory())
    lost_pending = factories.delivery(mine, next_attempt_at=long_ago)
    lost_retrying = factories.delivery(
        theirs, status="retrying", attempts=2, next_attempt_at=long_ago
    )
    waiting = factories.delivery(mine, status="retrying", next_attempt_at=recently)
    future = factories.delivery(mine, status="retrying", next_attempt_at=now + timedelta(hours=2))
    done = factories.delivery(mine, status="succeeded", delivered_at=long_ago)
    failed = factories.delivery(mine, status="failed", attempts=8)

    with django_capture_on_commit_callbacks() as queued:
        count = deliveries_recover(now=now)

    assert count == 2
    assert len(queued) == 1  # one callback sends them all, after the sweep's commit
    after = _next_attempts()
    assert (after[lost_pending.pk], after[lost_retrying.pk]) == (now, now)
    assert (after[waiting.pk], after[future.pk]) == (recently, now + timedelta(hours=2))
    assert (after[done.pk], after[failed.pk]) == (None, None)


def test_a_recovered_delivery_is_not_queued_again_by_the_next_sweep(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    factories.delivery(
        factories.endpoint(TenantFactory()), next_attempt_at=now - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks():
        first = deliveries_recover(now=now)
        second = deliveries_recover(now=now + timedelta(minutes=1))

    assert (first, second) == (1, 0)
