import pytest
from django.contrib import admin
from django.utils import timezone

from billing.models import (
    CreditAccount,
    CreditPack,
    LedgerEntry,
    OperationPrice,
    Plan,
    StripeEvent,
    Subscription,
)
from tests.tenants.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/admin/billing/plan/", "price_pro_test"),
        ("/admin/billing/creditpack/", "1,000 credits"),
        ("/admin/billing/operationprice/", "Poster, HD (over 1080×1920 pixels)"),
        ("/admin/billing/stripeevent/?status__exact=flagged", "evt_flagged"),
    ],
)
def test_staff_read_the_platform_billing_tables_in_the_admin(client, superuser, url, shown):
    Plan.objects.filter(code="pro").update(stripe_price_id="price_pro_test")
    StripeEvent.objects.create(
        event_id="evt_flagged", type="invoice.paid", payload={}, stripe_created=timezone.now(),
        status=StripeEvent.Status.FLAGGED,
    )  # fmt: skip

    response = client.get(url)

    assert response.status_code == 200
    assert shown in response.text


def test_plan_credits_are_edited_in_the_list(client, superuser):
    plans = list(Plan.objects.order_by("sort_order", "code"))
    form = {"form-TOTAL_FORMS": len(plans), "form-INITIAL_FORMS": len(plans), "_save": "Save"}
    for n, plan in enumerate(plans):
        form.update({
            f"form-{n}-id": plan.pk,
            f"form-{n}-monthly_credits": "750" if plan.code == "pro" else plan.monthly_credits,
            f"form-{n}-seats": plan.seats,
            f"form-{n}-is_public": "on" if plan.is_public else "",
            f"form-{n}-sort_order": plan.sort_order,
        })  # fmt: skip

    response = client.post("/admin/billing/plan/", form)

    assert response.status_code == 302
    assert str(Plan.objects.get(code="pro").monthly_credits) == "750.00"


def test_stripe_events_are_read_only(client, superuser):
    event = StripeEvent.objects.create(
        event_id="evt_1", type="invoice.paid", payload={}, stripe_created=timezone.now()
    )

    assert client.get("/admin/billing/stripeevent/add/").status_code == 403
    assert client.post(f"/admin/billing/stripeevent/{event.pk}/delete/").status_code == 403
    assert client.get(f"/admin/billing/stripeevent/{event.pk}/change/").status_code == 200


def test_tenant_owned_billing_tables_stay_out_of_the_admin():
    registered = set(admin.site._registry)

    assert {Plan, CreditPack, OperationPrice, StripeEvent} <= registered
    assert not {CreditAccount, LedgerEntry, Subscription} & registered
