import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from playwright.sync_api import expect

from compliance import services
from compliance.models import ModerationCase, ReviewItem
from generation.models import Render
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.billing.factories import funded
from tests.compliance.factories import (
    CLEAN_SCRIPT,
    HELD_SCRIPT,
    claim_evidence,
    fresh,
    rendered,
    review_items,
)
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass"
SCRIPT = (
    "家人们晚上好！今天给大家带来我们的明星产品——玻尿酸补水面霜。\n"
    "这款面霜是全网最好的补水面霜，销量第一，用了三天就能祛痘，还能治疗湿疹！\n"
    "<b>限时秒杀</b>，原价399元，今天只要199元，买一送一，手慢无哦～"
)
# Where each <mark> of the checked text starts and ends, counted in characters of the text
# (the anchors inside marks are empty, the finding numbers are CSS, not text).
MARK_SPANS = """() => {
  const box = document.querySelector('#check-result .copy-text');
  const spans = [];
  let offset = 0;
  for (const node of box.childNodes) {
    const length = node.textContent.length;
    if (node.nodeName === 'MARK') spans.push([offset, offset + length, node.className]);
    offset += length;
  }
  return {text: box.textContent, spans: spans};
}"""
IMAGES_LOADED = """() => [...document.querySelectorAll('img')].every(
  (img) => img.complete && img.naturalWidth > 0)"""


def user(email: str, **fields):
    return get_user_model().objects.create_user(email, email, PASSWORD, **fields)


def log_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(url)


def test_a_member_checks_a_pasted_chinese_script(live_server, page, browser, artifacts):
    owner = user("mei@lumiere.test")
    brand = TenantFactory(name="Lumière 光屿护肤")
    member(brand, Role.OWNER, owner)
    claim_evidence(
        brand,
        "sales_rank",
        title="2025 天猫面霜类目销量榜",
        issuer="天猫",
        valid_from=date(2025, 1, 1),
    )
    with tenant_scope(brand.pk):
        expected = services.text_check(tenant=brand, text=SCRIPT, category="cosmetics")

    log_in(page, f"{live_server.url}/compliance/check/", "mei@lumiere.test")
    page.fill("textarea[name=text]", SCRIPT)
    page.select_option("select[name=category]", "cosmetics")
    page.get_by_role("button", name="Check", exact=True).click()

    expect(page.locator("#verdict")).to_have_text("Must change")
    drawn = page.evaluate(MARK_SPANS)
    assert drawn["text"] == SCRIPT  # the pasted <b> stays text, nothing is lost or added
    findings = [(f.start, f.end, f"hl hl-{f.severity}") for f in expected.findings]
    cited = [(c.start, c.end, "hl hl-cited") for c in expected.citations]
    assert sorted(map(tuple, drawn["spans"])) == sorted(findings + cited)
    assert [SCRIPT[c[0] : c[1]] for c in cited] == ["销量第一"]
    expect(page.locator("#check-result .finding")).to_have_count(len(expected.findings))
    expect(page.locator("#text-count")).to_have_text(f"{len(SCRIPT)} / 100,000")
    expect(page.locator("#check-result .citations")).to_contain_text("2025 天猫面霜类目销量榜")
    expect(page.locator("#check-result b")).to_have_count(0)
    page.screenshot(path=str(artifacts / "compliance-check.png"), full_page=True)

    mobile = browser.new_context(viewport={"width": 390, "height": 844})
    mobile.add_cookies(page.context.cookies())
    phone = mobile.new_page()
    phone.goto(f"{live_server.url}/compliance/check/")
    phone.fill("textarea[name=text]", SCRIPT)
    phone.get_by_role("button", name="Check", exact=True).click()
    expect(phone.locator("#verdict")).to_have_text("Must change")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.evaluate("window.scrollTo(0, 0)")  # the sticky top bar is drawn where it scrolled to
    phone.screenshot(path=str(artifacts / "compliance-check-mobile.png"), full_page=True)
    mobile.close()

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="文案检查", exact=True)).to_be_visible()
    page.fill("textarea[name=text]", SCRIPT)
    page.get_by_role("button", name="检查", exact=True).click()
    expect(page.locator("#verdict")).to_have_text("须修改")
    page.screenshot(path=str(artifacts / "compliance-check-zh.png"), full_page=True)
    page.get_by_role("button", name="EN", exact=True).click()

    page.fill("textarea[name=text]", "   ")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator(".field-error")).to_have_text("Paste the copy or script to check.")
    page.fill("textarea[name=text]", "最好")  # the swapped-in form still counts as you type
    expect(page.locator("#text-count")).to_have_text("2 / 100,000")

    # Evidence and the brand's own words, as the check used them.
    page.get_by_role("link", name="Evidence and rules").click()
    expect(page.locator(".evidence-table tbody tr")).to_have_count(1)
    page.screenshot(path=str(artifacts / "compliance-evidence.png"), full_page=True)
    page.get_by_role("link", name="Banned words and allowed phrases").click()
    page.get_by_role("textbox", name="Word or phrase").fill("平替")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".rule-chips")).to_contain_text("平替")
    page.screenshot(path=str(artifacts / "compliance-rules.png"), full_page=True)


def test_staff_claim_and_approve_then_a_brand_appeals_a_rejection_decided_by_another_moderator(
    live_server, page, browser, artifacts
):
    reviewer = user("li@lumiere.test")
    first = user("ops@brandloom.test", is_staff=True)
    second = user("kai@brandloom.test", is_staff=True)
    lumiere = TenantFactory(name="Lumière 光屿护肤")
    funded(lumiere, granted=500)
    member(lumiere, Role.REVIEWER, reviewer)
    rendered(lumiere, HELD_SCRIPT, variants=2)
    pine = TenantFactory(name="Pine & Ink 松墨")
    funded(pine, granted=500)
    with override_settings(APP_COMPLIANCE_SAMPLE_RATE=1.0, APP_COMPLIANCE_SLA_HOURS=-3):
        rendered(pine, CLEAN_SCRIPT, variants=1)  # a sampled case, already overdue

    # The brand's reviewer reads the queue and sends both held posters to the platform.
    log_in(page, f"{live_server.url}/compliance/reviews/", "li@lumiere.test")
    expect(page.locator(".review-row")).to_have_count(2)
    page.wait_for_function(IMAGES_LOADED)
    page.screenshot(path=str(artifacts / "review-queue.png"), full_page=True)
    mobile = browser.new_context(viewport={"width": 390, "height": 844})
    mobile.add_cookies(page.context.cookies())
    phone = mobile.new_page()
    phone.goto(f"{live_server.url}/compliance/reviews/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "review-queue-mobile.png"), full_page=True)
    mobile.close()

    items = review_items(lumiere)
    for item in items:
        page.goto(f"{live_server.url}/compliance/reviews/{item.pk}/")
        expect(page.locator(".copy-text mark.hl-review").first).to_have_text("抑菌")
        if item == items[0]:
            page.wait_for_function(IMAGES_LOADED)
            page.screenshot(path=str(artifacts / "review-item-open.png"), full_page=True)
        page.get_by_text("Ask the platform's moderators").click()
        page.fill("#escalate_note", "抑菌 is covered by our 卫消证字 licence.")
        page.get_by_role("button", name="Escalate").click()
        expect(page.locator(".messages")).to_contain_text("Sent to the platform's moderators")
    page.wait_for_function(IMAGES_LOADED)
    page.screenshot(path=str(artifacts / "review-item.png"), full_page=True)
    assert {i.state for i in review_items(lumiere)} == {"escalated"}

    # A moderator claims the most urgent case (Pine's, overdue) and approves it, then the next.
    staff_context = browser.new_context(viewport={"width": 1280, "height": 800})
    ops = staff_context.new_page()
    log_in(ops, f"{live_server.url}/staff/moderation/", "ops@brandloom.test")
    expect(ops.locator(".moderation-queue tbody tr")).to_have_count(3)
    expect(ops.locator(".moderation-queue tr.is-overdue")).to_have_count(1)
    expect(ops.locator(".moderation-queue tr.is-overdue")).to_contain_text("Pine & Ink 松墨")
    ops.screenshot(path=str(artifacts / "staff-moderation.png"), full_page=True)

    ops.get_by_role("button", name="Claim next").click()
    ops.wait_for_url(re.compile(r".*/staff/moderation/\d+/$"))
    approved_id = int(ops.url.rstrip("/").rsplit("/", 1)[1])
    expect(ops.locator("h1")).to_contain_text("Claimed by you")
    ops.wait_for_function(IMAGES_LOADED)
    ops.screenshot(path=str(artifacts / "staff-moderation-case.png"), full_page=True)
    ops.get_by_role("radio", name="Approve").check()
    ops.get_by_role("button", name="Record decision").click()
    expect(ops.locator(".messages")).to_contain_text(f"Case #{approved_id} approved.")

    ops.get_by_role("button", name="Claim next").click()
    ops.wait_for_url(re.compile(r".*/staff/moderation/\d+/$"))
    rejected_id = int(ops.url.rstrip("/").rsplit("/", 1)[1])
    ops.get_by_role("radio", name="Reject").check()
    ops.select_option("select[name=reason_code]", "medical_claim")
    ops.fill("textarea[name=note]", "No 卫消证字 licence on file for this product.")
    ops.get_by_role("button", name="Record decision").click()
    expect(ops.locator(".messages")).to_contain_text(f"Case #{rejected_id} rejected")

    approved = fresh(pine, ModerationCase, approved_id)
    assert (approved.state, approved.decided_by_id) == ("approved", first.pk)
    assert fresh(pine, Render, approved.render_id).compliance_state == "passed"  # stays released
    rejected = fresh(lumiere, ModerationCase, rejected_id)
    [rejected_item] = rows(ReviewItem, lumiere, render_id=rejected.render_id)
    assert (rejected_item.state, rejected_item.decided_by_staff) == ("rejected", True)

    # The brand appeals the rejection, once.
    page.goto(f"{live_server.url}/compliance/reviews/{rejected_item.pk}/")
    expect(page.locator("#decide")).to_contain_text("Rejected by the platform's moderators.")
    expect(page.locator("#decide")).to_contain_text("《中华人民共和国广告法》第十七条")
    page.fill("#appeal_message", "Our 卫消证字 licence No. 2025-0117 covers 抑菌; attached.")
    page.get_by_role("button", name="Appeal").click()
    expect(page.locator(".messages")).to_contain_text("Appeal sent")
    expect(page.get_by_role("button", name="Appeal")).to_have_count(0)
    assert fresh(lumiere, ReviewItem, rejected_item.pk).state == ReviewItem.State.APPEALED

    # The first moderator may not decide it, and the page says why.
    ops.goto(f"{live_server.url}/staff/moderation/appeals/")
    expect(ops.locator(".appeals-table tbody tr")).to_have_count(1)
    ops.get_by_role("link", name=f"#{rejected_id}").click()
    expect(ops.locator("#decide-blocked")).to_contain_text("a different moderator must decide")
    expect(ops.get_by_role("button", name="Record decision")).to_be_disabled()
    ops.screenshot(path=str(artifacts / "staff-moderation-appeal.png"), full_page=True)
    staff_context.close()

    # Another moderator decides the appeal.
    other_context = browser.new_context(viewport={"width": 1280, "height": 800})
    kai = other_context.new_page()
    log_in(kai, f"{live_server.url}/staff/moderation/appeals/", "kai@brandloom.test")
    kai.get_by_role("link", name=f"#{rejected_id}").click()
    expect(kai.locator(".appeal-card")).to_contain_text("licence No. 2025-0117")
    kai.get_by_role("radio", name="Approve").check()
    kai.get_by_role("button", name="Record decision").click()
    expect(kai.locator(".messages")).to_contain_text(f"Case #{rejected_id} approved.")
    kai.get_by_role("button", name="简体中文").click()
    kai.goto(f"{live_server.url}/staff/moderation/")
    expect(kai.get_by_role("heading", name="内容审核", exact=True)).to_be_visible()
    kai.screenshot(path=str(artifacts / "staff-moderation-zh.png"), full_page=True)
    other_context.close()

    decided = fresh(lumiere, ModerationCase, rejected_id)
    assert (decided.state, decided.stage) == ("approved", "appeal")
    assert (decided.first_decided_by_id, decided.decided_by_id) == (first.pk, second.pk)
    assert fresh(lumiere, ReviewItem, rejected_item.pk).state == ReviewItem.State.APPROVED
    page.goto(f"{live_server.url}/compliance/reviews/{rejected_item.pk}/")
    expect(page.locator(".decision-history li")).to_have_count(
        4
    )  # escalate, reject, appeal, approve
    assert sorted(item.state for item in review_items(lumiere)) == ["approved", "escalated"]
