import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_invite_and_browse_the_dashboard(live_server, page, browser, artifacts):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "maya@lotus.test")
    page.fill("input[name=password]", "a-long-passphrase-42")
    page.fill("input[name=brand_name]", "Lotus Tea 莲花茶")
    page.screenshot(path=str(artifacts / "signup.png"), full_page=True)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{live_server.url}/")

    expect(page.get_by_role("heading", name="Lotus Tea 莲花茶")).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="Members", exact=True).first.click()
    page.fill("#invite input[name=email]", "li@lotus.test")
    page.select_option("#invite select[name=role]", "reviewer")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(f"{live_server.url}/members/")

    invitations = page.locator("#invitations")
    expect(invitations.get_by_text("li@lotus.test")).to_be_visible()
    expect(invitations.get_by_text("Reviewer")).to_be_visible()
    page.screenshot(path=str(artifacts / "members.png"), full_page=True)

    page.get_by_role("link", name="API keys").click()
    page.fill("input[name=name]", "Store sync")
    page.get_by_label("jobs:read").check()
    page.get_by_role("button", name="Create key").click()
    assert page.locator("#new-key").input_value().startswith("bl_")
    page.screenshot(path=str(artifacts / "api-keys.png"), full_page=True)

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_text("Invitation sent")).to_be_visible()
    page.screenshot(path=str(artifacts / "audit.png"), full_page=True)

    page.get_by_role("link", name="Members", exact=True).first.click()
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.get_by_role("heading", name="成员", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "members-zh.png"), full_page=True)

    mobile = browser.new_context(viewport={"width": 390, "height": 844})
    mobile.add_cookies(page.context.cookies())
    phone = mobile.new_page()
    phone.goto(f"{live_server.url}/members/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "members-mobile.png"), full_page=True)
    mobile.close()
