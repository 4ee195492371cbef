import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance import moderation
from compliance.models import ComplianceDecision, ModerationCase, ReviewItem
from generation.models import Render
from tenants.roles import Role
from tests.billing.factories import funded
from tests.compliance.factories import (
    HELD_SCRIPT,
    fresh,
    rendered,
    review_items,
)
from tests.tenants.factories import TenantFactory, UserFactory, member, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand():
    tenant = TenantFactory(name="Lotus Tea")
    funded(tenant, granted=500)
    return tenant


@pytest.fixture
def held(brand) -> ReviewItem:
    """An item at review: the built-in copy says 抑菌 (an Art. 17 claim the check holds)."""
    rendered(brand, HELD_SCRIPT, variants=1)
    [item] = review_items(brand)
    return item


def logged_in(tenant, role=Role.REVIEWER) -> Client:
    client = Client()
    client.force_login(member(tenant, role).user)
    return client


def marks(html: str) -> list[tuple[str, str]]:
    found = re.findall(r'<mark class="hl ([\w-]+)"[^>]*>(.*?)</mark>', html, re.S)
    return [(css, re.sub(r"<span [^>]*></span>", "", text)) for css, text in found]


def copy_blocks(html: str) -> list[str]:
    return re.findall(r'<div class="copy-text">(.*?)</div>', html, re.S)


def staff_user():
    return UserFactory(is_staff=True)


# THE QUEUE ----------------------------------------------------------------------------------


def test_members_see_their_brands_queue_with_counts_and_thumbnails(brand, held):
    other = TenantFactory()
    funded(other, granted=500)
    rendered(other, HELD_SCRIPT, variants=1)

    response = logged_in(brand, Role.VIEWER).get("/compliance/reviews/")

    assert response.status_code == 200
    assert [row.item.pk for row in response.context["rows"]] == [held.pk]
    html = response.text
    assert f'href="/compliance/reviews/{held.pk}/"' in html
    assert html.count('<img src="/files/') == 1
    assert re.search(r"At review <span class=\"pill-count\">1</span>", html)
    assert 'aria-current="page">Reviews</a>' in html


def test_the_queue_filters_by_state(brand, held):
    client = logged_in(brand)

    approved = client.get("/compliance/reviews/?state=approved")
    at_review = client.get("/compliance/reviews/?state=open")
    unknown = client.get("/compliance/reviews/?state=<script>")

    assert approved.context["rows"] == []
    assert "Nothing in this state." in approved.text
    assert [row.item.pk for row in at_review.context["rows"]] == [held.pk]
    assert unknown.status_code == 200
    assert [row.item.pk for row in unknown.context["rows"]] == [held.pk]


def test_the_queue_costs_the_same_queries_however_long(brand, held):
    client = logged_in(brand)
    with CaptureQueriesContext(connection) as short:
        client.get("/compliance/reviews/")
    rendered(brand, HELD_SCRIPT, variants=3)

    with CaptureQueriesContext(connection) as long:
        response = client.get("/compliance/reviews/")

    assert len(response.context["rows"]) == 4
    assert len(long.captured_queries) == len(short.captured_queries)


# THE ITEM PAGE ------------------------------------------------------------------------------


def test_the_item_shows_the_poster_and_marks_each_finding_at_its_span(brand, held):
    response = logged_in(brand, Role.VIEWER).get(f"/compliance/reviews/{held.pk}/")

    assert response.status_code == 200
    html = response.text
    render = fresh(brand, Render, held.render_id)
    findings = render.compliance["findings"]
    assert findings and all(f["match"] == "抑菌" for f in findings)
    assert marks("".join(copy_blocks(html))) == [("hl-review", "抑菌")] * len(findings)
    for block in copy_blocks(html):
        text = re.sub(r"<[^>]+>", "", block)
        for match in re.finditer(r'<mark class="hl hl-review"', block):
            before = re.sub(r"<[^>]+>", "", block[: match.start()])
            assert text[len(before) : len(before) + 2] == "抑菌"
    assert '<img src="/files/' in html
    assert "《广告法》第十七条" in html
    assert "Your role can read reviews; owners, admins and reviewers decide them." in html
    assert "/approve/" not in html


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.REVIEWER])
def test_deciding_roles_get_the_actions(brand, held, role):
    html = logged_in(brand, role).get(f"/compliance/reviews/{held.pk}/").text

    for action in ("approve", "reject", "edit", "escalate"):
        assert f'action="/compliance/reviews/{held.pk}/{action}/"' in html
    assert '<option value="brand_policy">' in html  # the brand's own standards: brands only


def test_another_brands_item_is_not_found(brand, held):
    stranger = TenantFactory()

    response = logged_in(stranger, Role.OWNER).get(f"/compliance/reviews/{held.pk}/")

    assert response.status_code == 404


# ACTIONS ------------------------------------------------------------------------------------


def test_a_reviewer_approves_and_the_poster_is_released(brand, held):
    client = logged_in(brand)

    response = client.post(f"/compliance/reviews/{held.pk}/approve/", follow=True)

    assert response.redirect_chain == [(f"/compliance/reviews/{held.pk}/", 302)]
    assert "Approved: the poster can be downloaded now." in response.text
    assert fresh(brand, ReviewItem, held.pk).state == ReviewItem.State.APPROVED
    assert fresh(brand, Render, held.render_id).compliance_state == "approved"
    [decision] = rows(ComplianceDecision, brand)
    assert decision.action == "approve"
    assert 'class="badge action-approve">Approved<' in response.text


def test_a_rejection_needs_a_reason(brand, held):
    client = logged_in(brand)

    missing = client.post(f"/compliance/reviews/{held.pk}/reject/", {"reason_code": ""})
    other_law = client.post(
        f"/compliance/reviews/{held.pk}/reject/", {"reason_code": "other_law", "note": ""}
    )

    assert (missing.status_code, other_law.status_code) == (400, 400)
    assert "This field is required." in missing.context["reject_form"].errors["reason_code"]
    assert "Name the provision in the note." in other_law.context["reject_form"].errors["note"]
    assert fresh(brand, ReviewItem, held.pk).state == ReviewItem.State.OPEN
    assert rows(ComplianceDecision, brand) == []


def test_a_reviewer_rejects_with_a_reason_mapped_to_the_law(brand, held):
    client = logged_in(brand)

    response = client.post(
        f"/compliance/reviews/{held.pk}/reject/",
        {"reason_code": "medical_claim", "note": "抑菌 needs a lab report"},
        follow=True,
    )

    item = fresh(brand, ReviewItem, held.pk)
    assert (item.state, item.reason_code, item.note) == (
        "rejected",
        "medical_claim",
        "抑菌 needs a lab report",
    )
    assert "Disease prevention or treatment claims" in response.text
    assert "《中华人民共和国广告法》第十七条" in response.text
    assert f'action="/compliance/reviews/{held.pk}/appeal/"' not in response.text  # own decision


@pytest.mark.parametrize("action", ["approve", "reject", "escalate", "edit", "appeal"])
def test_editors_cannot_act_and_nothing_changes(brand, held, action):
    response = logged_in(brand, Role.EDITOR).post(
        f"/compliance/reviews/{held.pk}/{action}/", {"reason_code": "superlative", "message": "x"}
    )

    assert response.status_code == 403
    assert fresh(brand, ReviewItem, held.pk).state == ReviewItem.State.OPEN
    assert rows(ComplianceDecision, brand) == []


@pytest.mark.parametrize("action", ["approve", "reject", "escalate", "edit", "appeal"])
def test_another_brands_item_cannot_be_decided(brand, held, action):
    stranger = TenantFactory()

    response = logged_in(stranger, Role.OWNER).post(
        f"/compliance/reviews/{held.pk}/{action}/", {"reason_code": "superlative", "message": "x"}
    )

    assert response.status_code == 404
    assert fresh(brand, ReviewItem, held.pk).state == ReviewItem.State.OPEN
    assert rows(ComplianceDecision, brand) == []


def test_deciding_a_decided_item_says_why_and_changes_nothing(brand, held):
    client = logged_in(brand)
    client.post(f"/compliance/reviews/{held.pk}/approve/")

    response = client.post(
        f"/compliance/reviews/{held.pk}/reject/", {"reason_code": "superlative"}, follow=True
    )

    assert "This item is approved; only an item at review can be rejected." in response.text
    assert fresh(brand, ReviewItem, held.pk).state == ReviewItem.State.APPROVED


def edit_form(render: Render, **changes) -> dict[str, str]:
    copy = render.copy
    data = {name: value for name, value in copy.items() if not isinstance(value, list)}
    data["bullets"] = "\n".join(copy["bullets"])
    return {**data, **changes}


def test_an_edited_copy_is_checked_again_shown_escaped_and_rendered_again(brand, held):
    render = fresh(brand, Render, held.render_id)
    form = edit_form(render)
    form = {name: value.replace("抑菌", "清洁") for name, value in form.items()}
    form["headline"] = '<script>alert("x")</script>温和抑菌'
    client = logged_in(brand)

    response = client.post(f"/compliance/reviews/{held.pk}/edit/", form, follow=True)

    assert "Copy saved and checked again" in response.text
    render = fresh(brand, Render, held.render_id)
    assert render.copy["headline"] == '<script>alert("x")</script>温和抑菌'
    assert render.status == Render.Status.PENDING  # rendered again with the new copy
    assert fresh(brand, ReviewItem, held.pk).state == ReviewItem.State.OPEN
    html = response.text
    assert '<script>alert("x")</script>' not in html
    headline = copy_blocks(html)[0]
    assert headline.startswith("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;温和<mark")
    assert marks(headline) == [("hl-review", "抑菌")]
    assert "Rendering again with the edited copy" in html
    assert [d.action for d in rows(ComplianceDecision, brand)] == ["edit"]


def test_an_edit_that_is_still_blocked_is_not_saved_and_shows_why(brand, held):
    render = fresh(brand, Render, held.render_id)
    before = render.copy
    form = edit_form(render, headline="三天祛痘的精华")

    response = logged_in(brand).post(f"/compliance/reviews/{held.pk}/edit/", form)

    assert response.status_code == 400
    assert "still blocked by the ad-law check; nothing was saved" in response.text
    blocked = re.search(r'<div class="blocked-review">(.*?)</form>', response.text, re.S)
    assert blocked and ("hl-block", "三天祛痘") in marks(blocked.group(1))
    assert "三天祛痘的精华</textarea>" in response.text
    assert fresh(brand, Render, held.render_id).copy == before
    assert rows(ComplianceDecision, brand) == []


def test_an_escalation_goes_to_the_platform(brand, held):
    response = logged_in(brand).post(
        f"/compliance/reviews/{held.pk}/escalate/", {"note": "抑菌 is in our licence"}, follow=True
    )

    assert "Sent to the platform's moderators" in unescape(response.text)
    assert fresh(brand, ReviewItem, held.pk).state == ReviewItem.State.ESCALATED
    [case] = rows(ModerationCase, brand)
    assert (case.reason, case.state) == ("escalation", "open")
    assert "Escalated: waiting for the platform's moderators." in unescape(response.text)


def test_a_platform_rejection_is_appealed_once(brand, held):
    client = logged_in(brand)
    client.post(f"/compliance/reviews/{held.pk}/escalate/")
    [case] = rows(ModerationCase, brand)
    first, second = staff_user(), staff_user()
    moderation.moderation_decide(
        staff=first, case_id=case.pk, decision="reject", reason_code="medical_claim"
    )
    page = client.get(f"/compliance/reviews/{held.pk}/").text
    empty = client.post(f"/compliance/reviews/{held.pk}/appeal/", {"message": "  "})

    appealed = client.post(
        f"/compliance/reviews/{held.pk}/appeal/",
        {"message": "Our licence 卫消证字 covers 抑菌."},
        follow=True,
    )
    moderation.moderation_decide(
        staff=second, case_id=case.pk, decision="reject", reason_code="medical_claim"
    )
    upheld = client.get(f"/compliance/reviews/{held.pk}/").text

    assert "Rejected by the platform's moderators." in unescape(page)
    assert f'action="/compliance/reviews/{held.pk}/appeal/"' in page
    assert empty.status_code == 400
    assert "Say why the decision should change." in empty.context["appeal_form"].errors["message"]
    assert "Appeal sent: a different moderator will decide it." in appealed.text
    assert "Our licence 卫消证字 covers 抑菌." in appealed.text
    assert fresh(brand, ModerationCase, case.pk).stage == "appeal"
    assert f'action="/compliance/reviews/{held.pk}/appeal/"' not in upheld
    assert "upheld on appeal; it cannot be appealed again" in upheld
    assert "Platform moderator" in upheld and first.email not in upheld
