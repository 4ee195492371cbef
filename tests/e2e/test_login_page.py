import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_and_is_captured(live_server, page, artifacts):
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=str(artifacts / "login.png"), full_page=True)

    assert page.title() == "Log in · Brandloom"
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_login_page_switches_to_chinese(live_server, page, artifacts):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "login-zh.png"), full_page=True)

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_a_user_logs_in_and_reaches_the_dashboard(live_server, page):
    user = get_user_model().objects.create_user("maya@brand.test", "maya@brand.test", "s3cret-pass")
    member(TenantFactory(name="Lotus Tea"), Role.OWNER, user)

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "maya@brand.test")
    page.fill("input[name=password]", "s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    expect(page.get_by_text("maya@brand.test", exact=True)).to_be_visible()


def test_a_wrong_password_shows_a_clear_message(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "nobody@brand.test")
    page.fill("input[name=password]", "wrong")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_be_visible()
    assert "correct" in page.get_by_role("alert").inner_text()
