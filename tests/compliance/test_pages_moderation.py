import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from compliance import moderation, review
from compliance.models import ComplianceDecision, ModerationCase, ReviewItem
from generation.models import Render
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.billing.factories import funded
from tests.tenants.factories import TenantFactory, UserFactory, member, rows

from .factories import CLEAN_SCRIPT, HELD_SCRIPT, fresh, rendered, review_items

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/staff/moderation/",
    "/staff/moderation/appeals/",
    "/staff/moderation/analytics/",
]


def staff(name: str = "mod"):
    return UserFactory(username=f"{name}@platform.test", is_staff=True)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def brand(name: str):
    tenant = TenantFactory(name=name)
    funded(tenant, granted=500)
    return tenant


def escalated(tenant, note: str = "") -> ModerationCase:
    """A held render the brand's reviewer sent to the platform."""
    rendered(tenant, HELD_SCRIPT, variants=1)
    [item] = review_items(tenant)
    reviewer = member(tenant, Role.REVIEWER).user
    with tenant_scope(tenant.pk):
        review.review_escalate(tenant=tenant, user=reviewer, item_id=item.pk, note=note)
    [case] = rows(ModerationCase, tenant)
    return case


def sampled(tenant) -> ModerationCase:
    with override_settings(APP_COMPLIANCE_SAMPLE_RATE=1.0):
        rendered(tenant, CLEAN_SCRIPT, variants=1)
    [case] = rows(ModerationCase, tenant)
    return case


def appealed(tenant, first) -> ModerationCase:
    """A case the brand appealed after `first` rejected it."""
    case = escalated(tenant)
    moderation.moderation_decide(
        staff=first, case_id=case.pk, decision="reject", reason_code="medical_claim"
    )
    [item] = review_items(tenant)
    owner = member(tenant, Role.OWNER).user
    with tenant_scope(tenant.pk):
        review.review_appeal(
            tenant=tenant, user=owner, item_id=item.pk, message="卫消证字 licence covers 抑菌"
        )
    return fresh(tenant, ModerationCase, case.pk)


# WHO SEES THE PAGES -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.VIEWER])
def test_brand_members_get_404_on_every_staff_page_and_change_nothing(role):
    tenant = brand("Lotus")
    case = escalated(tenant)
    client = as_user(member(tenant, role).user)

    pages = [client.get(url).status_code for url in [*STAFF_PAGES, f"/staff/moderation/{case.pk}/"]]
    posts = [
        client.post("/staff/moderation/claim/").status_code,
        client.post(f"/staff/moderation/{case.pk}/", {"decision": "approve"}).status_code,
        client.post(f"/staff/moderation/{case.pk}/release/").status_code,
    ]

    assert pages == [404] * 4
    assert posts == [404] * 3
    case = fresh(tenant, ModerationCase, case.pk)
    assert (case.state, case.claimed_by_id) == ("open", None)
    assert rows(ComplianceDecision, tenant, action="approve") == []


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/staff/moderation/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_read_every_page(url):
    response = as_user(staff()).get(url)

    assert response.status_code == 200
    assert 'aria-current="page">Moderation</a>' in response.text


def test_an_unknown_case_is_not_found():
    assert as_user(staff()).get("/staff/moderation/999999/").status_code == 404


# THE QUEUE ----------------------------------------------------------------------------------


def test_the_queue_lists_every_brands_open_cases_most_urgent_first_with_overdue_marked():
    lotus, pine = brand("Lotus Tea 莲花茶"), brand("Pine & Ink")
    with override_settings(APP_COMPLIANCE_ESCALATION_SLA_HOURS=-2):
        late = escalated(lotus)
    on_time = sampled(pine)

    response = as_user(staff()).get("/staff/moderation/")

    rows_ = response.context["rows"]
    assert [row.case.pk for row in rows_] == [late.pk, on_time.pk]
    assert [row.is_overdue for row in rows_] == [True, False]
    html = response.text
    assert "Lotus Tea 莲花茶" in html and "Pine &amp; Ink" in html
    assert html.count('<tr class="is-overdue">') == 1
    assert "overdue by" in html
    assert 'id="stat-overdue">1<' in html and 'id="stat-open">2<' in html
    assert "Escalated by the brand" in html and "Random sample of passed copy" in html


def test_the_queue_filters_by_reason():
    lotus = brand("Lotus")
    escalated(lotus)
    sample = sampled(brand("Pine"))

    response = as_user(staff()).get("/staff/moderation/?reason=sample")

    assert [row.case.pk for row in response.context["rows"]] == [sample.pk]


def test_the_queue_costs_the_same_queries_however_long():
    client = as_user(staff())
    sampled(brand("One"))
    with CaptureQueriesContext(connection) as short:
        client.get("/staff/moderation/")
    for n in range(3):
        sampled(brand(f"Brand {n}"))

    with CaptureQueriesContext(connection) as long:
        response = client.get("/staff/moderation/")

    assert len(response.context["rows"]) == 4
    assert len(long.captured_queries) == len(short.captured_queries)


def test_claim_next_takes_the_most_urgent_case_and_opens_it():
    lotus = brand("Lotus")
    with override_settings(APP_COMPLIANCE_ESCALATION_SLA_HOURS=1):
        urgent = escalated(lotus)
    sampled(brand("Pine"))
    moderator = staff()
    client = as_user(moderator)

    response = client.post("/staff/moderation/claim/", follow=True)

    assert response.redirect_chain == [(f"/staff/moderation/{urgent.pk}/", 302)]
    case = fresh(lotus, ModerationCase, urgent.pk)
    assert (case.state, case.claimed_by_id) == ("claimed", moderator.pk)
    assert f"You hold case #{urgent.pk} of Lotus" in response.text
    assert "Claimed by you" in response.text


def test_claim_next_on_an_empty_queue_says_so():
    response = as_user(staff()).post("/staff/moderation/claim/", follow=True)

    assert response.redirect_chain == [("/staff/moderation/", 302)]
    assert "Nothing to claim: the queue is empty." in response.text


# A CASE -------------------------------------------------------------------------------------


def test_the_case_shows_the_poster_copy_with_findings_and_history():
    lotus = brand("Lotus")
    case = escalated(lotus, note="抑菌 is on our licence")

    response = as_user(staff()).get(f"/staff/moderation/{case.pk}/")

    html = response.text
    assert '<img src="/files/' in html
    copy = "".join(re.findall(r'<div class="copy-text">(.*?)</div>', html, re.S))
    assert re.findall(r'<mark class="hl hl-review"[^>]*>(?:<span [^>]*></span>)*(.*?)</mark>', copy)
    assert set(
        re.findall(r'<mark class="hl hl-review"[^>]*>(?:<span [^>]*></span>)*(.*?)</mark>', copy)
    ) == {"抑菌"}
    assert "抑菌 is on our licence" in html  # the escalation's note, in the history
    assert 'class="badge action-escalate">Escalated<' in html
    assert '<option value="brand_policy">' not in html  # staff must name a law
    assert '<option value="medical_claim">' in html


def test_a_moderator_claims_and_approves_and_the_brands_item_is_approved():
    lotus = brand("Lotus")
    case = escalated(lotus)
    client = as_user(staff())
    client.post("/staff/moderation/claim/")

    response = client.post(
        f"/staff/moderation/{case.pk}/", {"decision": "approve", "note": ""}, follow=True
    )

    assert response.redirect_chain == [("/staff/moderation/", 302)]
    assert f"Case #{case.pk} approved." in response.text
    assert fresh(lotus, ModerationCase, case.pk).state == "approved"
    [item] = review_items(lotus)
    assert (item.state, item.decided_by_staff) == ("approved", True)
    assert fresh(lotus, Render, case.render_id).compliance_state == "approved"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"decision": "reject", "reason_code": ""}, "reason_code", "A rejection needs a reason."),
        (
            {"decision": "reject", "reason_code": "brand_policy"},
            "reason_code",
            "Select a valid choice. brand_policy is not one of the available choices.",
        ),
        (
            {"decision": "reject", "reason_code": "other_law", "note": ""},
            "note",
            "Name the provision in the note.",
        ),
        ({"decision": "maybe"}, "decision", "Select a valid choice."),
    ],
)
def test_a_bad_decision_is_a_form_error_and_changes_nothing(data, field, error):
    lotus = brand("Lotus")
    case = escalated(lotus)

    response = as_user(staff()).post(f"/staff/moderation/{case.pk}/", data)

    assert response.status_code == 400
    assert any(message.startswith(error) for message in response.context["form"].errors[field])
    assert fresh(lotus, ModerationCase, case.pk).state == "open"


def test_a_rejection_names_the_law_and_reaches_the_brand():
    lotus = brand("Lotus")
    case = escalated(lotus)

    as_user(staff()).post(
        f"/staff/moderation/{case.pk}/",
        {"decision": "reject", "reason_code": "medical_claim", "note": "No licence on file"},
    )
    page = as_user(staff("other")).get(f"/staff/moderation/{case.pk}/").text

    [item] = review_items(lotus)
    assert (item.state, item.reason_code, item.note) == (
        "rejected",
        "medical_claim",
        "No licence on file",
    )
    assert "Disease prevention or treatment claims" in page
    assert "《中华人民共和国广告法》第十七条" in page
    assert "Record decision" not in page


def test_a_case_claimed_by_someone_else_cannot_be_decided_here():
    lotus = brand("Lotus")
    case = escalated(lotus)
    holder = staff("holder")
    moderation.moderation_claim_next(staff=holder)
    client = as_user(staff("other"))

    page = client.get(f"/staff/moderation/{case.pk}/").text
    refused = client.post(f"/staff/moderation/{case.pk}/", {"decision": "approve"}, follow=True)

    assert "holder@platform.test has claimed this case" in page
    assert re.search(r'<button class="primary auto" type="submit" disabled', page)
    assert "Another moderator has claimed this case." in refused.text
    assert fresh(lotus, ModerationCase, case.pk).state == "claimed"


def test_the_claimer_gives_a_case_back():
    lotus = brand("Lotus")
    case = escalated(lotus)
    holder = staff("holder")
    client = as_user(holder)
    client.post("/staff/moderation/claim/")

    client.post(f"/staff/moderation/{case.pk}/release/")

    case = fresh(lotus, ModerationCase, case.pk)
    assert (case.state, case.claimed_by_id) == ("open", None)


# APPEALS ------------------------------------------------------------------------------------


def test_the_first_decider_sees_why_they_cannot_decide_the_appeal():
    lotus = brand("Lotus")
    first, second = staff("first"), staff("second")
    case = appealed(lotus, first)
    client = as_user(first)

    appeals = client.get("/staff/moderation/appeals/").text
    page = client.get(f"/staff/moderation/{case.pk}/").text
    refused = client.post(
        f"/staff/moderation/{case.pk}/",
        {"decision": "approve"},
        follow=True,
    )

    assert f'href="/staff/moderation/{case.pk}/"' in appeals
    assert 'class="badge warn">You<' in appeals
    assert "卫消证字 licence covers 抑菌" in page
    assert "You took the first decision on this case" in page
    assert re.search(r'disabled aria-describedby="decide-blocked">Record decision<', page)
    assert "An appeal is decided by a different moderator." in unescape(refused.text)
    assert fresh(lotus, ModerationCase, case.pk).state == "open"

    decided = as_user(second).post(
        f"/staff/moderation/{case.pk}/", {"decision": "approve"}, follow=True
    )

    assert f"Case #{case.pk} approved." in decided.text
    case = fresh(lotus, ModerationCase, case.pk)
    assert (case.state, case.decided_by_id, case.first_decided_by_id) == (
        "approved",
        second.pk,
        first.pk,
    )
    [item] = review_items(lotus)
    assert item.state == ReviewItem.State.APPROVED


# ANALYTICS ----------------------------------------------------------------------------------


def test_analytics_counts_findings_per_article_brand_and_week():
    lotus, pine = brand("Lotus"), brand("Pine")
    rendered(lotus, HELD_SCRIPT, variants=2)
    rendered(pine, HELD_SCRIPT, variants=1)

    response = as_user(staff()).get("/staff/moderation/analytics/")

    report = response.context["report"]
    by_brand = {t.pk: tally.count for t, tally in response.context["brands"]}
    assert set(by_brand) == {lotus.pk, pine.pk}
    assert report.total == sum(by_brand.values()) == sum(t.count for t in report.per_article)
    assert report.per_week[-1][1] == report.total  # all of them this week
    assert len(report.per_week) == 12
    assert "《广告法》第十七条" in [t.key for t in report.per_article]
    assert response.text.count("<rect ") == 1
    assert f'id="findings-total">{report.total}<' in response.text


def test_the_appeals_list_costs_the_same_queries_however_long():
    first = staff("first")
    client = as_user(staff("reader"))
    appealed(brand("One"), first)
    with CaptureQueriesContext(connection) as short:
        client.get("/staff/moderation/appeals/")
    for n in range(2):
        appealed(brand(f"Brand {n}"), first)

    with CaptureQueriesContext(connection) as long:
        response = client.get("/staff/moderation/appeals/")

    assert len(response.context["rows"]) == 3
    assert len(long.captured_queries) == len(short.captured_queries)
