import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tenants.context import tenant_scope
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member
from webhooks.services import delivery_attempt, event_publish, webhook_endpoint_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _deliveries(brand, owner, receiver):
    """Real deliveries to the loopback receiver: one succeeded, one retrying, one failed."""
    with tenant_scope(brand.pk, user_id=owner.pk):
        webhook_endpoint_create(
            tenant=brand,
            user=owner,
            url=receiver.url("/brandloom/events"),
            event_types=["job.finished", "job.failed"],
            description="Shop sync (Shopify app)",
        )
    receiver.answer(200, 503)
    receiver.answer(410, body=b'{"error": "this webhook was removed"}')
    events = [
        ("job.finished", {"id": 41, "status": "succeeded", "renders": 8, "done": 8, "failed": 0}),
        ("job.failed", {"id": 42, "status": "failed", "renders": 4, "done": 0, "failed": 4}),
        ("job.finished", {"id": 43, "status": "partially_failed", "renders": 6, "done": 5}),
    ]
    for event_type, job in events:
        with tenant_scope(brand.pk):
            (row,) = event_publish(tenant=brand, event_type=event_type, payload={"job": job})
        delivery_attempt(tenant_id=brand.pk, delivery_id=row.pk)


def test_the_webhooks_page_with_deliveries(
    live_server, page, browser, artifacts, receiver, allow_private
):
    user = get_user_model().objects.create_user("maya@lotus.test", "maya@lotus.test", "s3cret-pass")
    brand = TenantFactory(name="Lotus Tea 莲花茶")
    member(brand, Role.OWNER, user)
    _deliveries(brand, user, receiver)

    page.goto(f"{live_server.url}/webhooks/")
    page.fill("input[name=username]", "maya@lotus.test")
    page.fill("input[name=password]", "s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/webhooks/")

    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    deliveries = page.locator("#deliveries tbody tr")
    expect(deliveries).to_have_count(3)
    expect(deliveries.nth(0)).to_contain_text("Failed")
    expect(deliveries.nth(1)).to_contain_text("Retrying")
    expect(deliveries.nth(2)).to_contain_text("Succeeded")
    page.screenshot(path=str(artifacts / "webhooks.png"), full_page=True)

    page.fill("input[name=url]", receiver.url("/erp/brandloom"))
    page.fill("input[name=description]", "ERP")
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("#new-secret").input_value()
    assert secret.startswith("whsec_")
    expect(page.locator("#endpoints tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifacts / "webhooks-created.png"), full_page=True)

    page.locator("#deliveries tbody tr").nth(0).get_by_role("link").click()
    expect(page.get_by_text("this webhook was removed").first).to_be_visible()
    page.screenshot(path=str(artifacts / "webhook-delivery.png"), full_page=True)

    page.get_by_role("link", name="Webhooks").first.click()
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="最近投递")).to_be_visible()
    page.screenshot(path=str(artifacts / "webhooks-zh.png"), full_page=True)

    mobile = browser.new_context(viewport={"width": 390, "height": 844})
    mobile.add_cookies(page.context.cookies())
    phone = mobile.new_page()
    phone.goto(f"{live_server.url}/webhooks/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "webhooks-mobile.png"), full_page=True)
    mobile.close()
