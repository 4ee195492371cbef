import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_and_is_captured(live_server, page, artifacts):
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=str(artifacts / "login.png"), full_page=True)

    assert page.title() == "Log in · Brandloom"
    assert page.locator("input[name=username]").is_visible()
    assert page.locator("input[name=password]").is_visible()
    assert page.get_by_role("button", name="Log in").is_visible()


def test_login_page_switches_to_chinese(live_server, page, artifacts):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "login-zh.png"), full_page=True)

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("button", name="登录").is_visible()


def test_a_user_logs_in_and_reaches_the_dashboard(live_server, page):
    get_user_model().objects.create_user("maya@brand.test", "maya@brand.test", "s3cret-pass")

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "maya@brand.test")
    page.fill("input[name=password]", "s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    assert page.get_by_text("maya@brand.test").is_visible()


def test_a_wrong_password_shows_a_clear_message(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "nobody@brand.test")
    page.fill("input[name=password]", "wrong")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("alert").is_visible()
    assert "correct" in page.get_by_role("alert").inner_text()
