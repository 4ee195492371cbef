import time
from decimal import Decimal

import pytest
from django.test import Client, override_settings

from billing import stripe_sync
from billing.models import CheckoutSession, Plan, StripeEvent
from tenants.context import tenant_scope
from tests.billing.factories import balance
from tests.billing.fake_stripe import FakeStripe, sign_payload, webhook_body
from tests.tenants.factories import TenantFactory, UserFactory, member, rows

pytestmark = pytest.mark.celery_worker


def test_a_webhook_is_processed_by_a_real_worker_and_grants_the_plan(start_worker, redis_client):
    with FakeStripe(api_key="sk_test_brandloom") as fake:
        fake.add_price("price_pro", unit_amount=2999, recurring_interval="month")
        Plan.objects.filter(code="pro").update(stripe_price_id="price_pro")
        start_worker(STRIPE_API_BASE=fake.url)
        tenant, owner = TenantFactory(), UserFactory()
        member(tenant, user=owner)
        with override_settings(STRIPE_API_BASE=fake.url), tenant_scope(tenant.pk):
            stripe_sync.checkout_start(
                tenant=tenant,
                user=owner,
                plan_code="pro",
                success_url="https://app.test/ok",
                cancel_url="https://app.test/no",
            )
        events = fake.complete_checkout(rows(CheckoutSession, tenant)[0].session_id)

        client = Client()
        for event in events:
            body = webhook_body(event)
            response = client.post(
                "/billing/stripe/webhook",
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign_payload(body, secret="whsec_test_brandloom"),
            )
            assert response.status_code == 200

        deadline = time.monotonic() + 30
        while StripeEvent.objects.exclude(status="processed").exists():
            assert time.monotonic() < deadline, list(StripeEvent.objects.values("type", "status"))
            time.sleep(0.2)

    assert balance(tenant)["granted"] == Decimal(500)
