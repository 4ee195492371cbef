from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance.models import ClaimEvidence, CustomRule
from tenants.roles import Role
from tests.billing.factories import on_plan
from tests.compliance.factories import PDF, claim_evidence, custom_rule, png_document
from tests.tenants.factories import TenantFactory, member, rows

pytestmark = pytest.mark.django_db


def logged_in(tenant, role=Role.ADMIN) -> Client:
    client = Client()
    client.force_login(member(tenant, role).user)
    return client


def upload(**changes):
    data = {
        "document": SimpleUploadedFile("award.pdf", PDF, content_type="application/pdf"),
        "claim": "award",
        "title": "2025 天猫金妆奖",
        "issuer": "天猫",
        "valid_from": "2025-01-01",
        "valid_until": "2026-12-31",
    }
    data.update(changes)
    return data


# EVIDENCE -----------------------------------------------------------------------------------


def test_members_read_their_brands_evidence_only():
    mine, theirs = TenantFactory(), TenantFactory()
    claim_evidence(mine, "award", title="金妆奖证书", valid_until=date(2021, 1, 1))
    claim_evidence(mine, "lab_test", title="SGS 检测报告", document=png_document())
    claim_evidence(theirs, "award", title="Their secret award")

    response = logged_in(mine, Role.VIEWER).get("/compliance/evidence/")

    assert response.status_code == 200
    html = response.text
    assert "金妆奖证书" in html and "SGS 检测报告" in html
    assert "Their secret award" not in html
    assert html.count('class="badge danger">Expired<') == 1
    assert html.count('class="badge ok">Valid<') == 1
    assert "Owners and admins add and remove evidence." in html
    assert 'enctype="multipart/form-data"' not in html
    assert "/delete/" not in html


def test_an_admin_uploads_evidence_and_the_check_accepts_its_claim():
    tenant = TenantFactory()
    client = logged_in(tenant)

    response = client.post("/compliance/evidence/", upload(), follow=True)

    assert response.redirect_chain == [("/compliance/evidence/", 302)]
    [saved] = rows(ClaimEvidence, tenant)
    assert (saved.claim, saved.title, saved.issuer) == ("award", "2025 天猫金妆奖", "天猫")
    assert (saved.valid_from, saved.valid_until) == (date(2025, 1, 1), date(2026, 12, 31))
    assert saved.content_type == "application/pdf"
    assert "Evidence “2025 天猫金妆奖” added" in response.text
    assert response.text.count('href="/files/') == 1  # the signed download link


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"document": SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")},
            "document",
            "Upload the evidence as a PDF, PNG or JPEG file.",
        ),
        ({"document": ""}, "document", "This field is required."),
        ({"valid_until": "2024-01-01"}, "valid_until", "The end of validity is before its start."),
        ({"valid_from": "yesterday"}, "valid_from", "Enter a valid date."),
        (
            {"claim": "miracle"},
            "claim",
            "Select a valid choice. miracle is not one of the available choices.",
        ),
        ({"title": "   "}, "title", "This field is required."),
    ],
)
def test_bad_evidence_is_a_form_error_and_nothing_is_kept(changes, field, error):
    tenant = TenantFactory()

    response = logged_in(tenant).post("/compliance/evidence/", upload(**changes))

    assert response.status_code == 400
    assert error in response.context["form"].errors[field]
    assert rows(ClaimEvidence, tenant) == []


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_roles_without_compliance_management_cannot_add_or_remove_evidence(role):
    tenant = TenantFactory()
    kept = claim_evidence(tenant)
    client = logged_in(tenant, role)

    added = client.post("/compliance/evidence/", upload())
    removed = client.post(f"/compliance/evidence/{kept.pk}/delete/")

    assert (added.status_code, removed.status_code) == (403, 403)
    assert [e.pk for e in rows(ClaimEvidence, tenant)] == [kept.pk]


def test_an_admin_removes_evidence_but_not_another_brands():
    mine, theirs = TenantFactory(), TenantFactory()
    own = claim_evidence(mine)
    foreign = claim_evidence(theirs)
    client = logged_in(mine)

    removed = client.post(f"/compliance/evidence/{own.pk}/delete/")
    refused = client.post(f"/compliance/evidence/{foreign.pk}/delete/")

    assert removed.status_code == 302
    assert refused.status_code == 404
    assert rows(ClaimEvidence, mine) == []
    assert [e.pk for e in rows(ClaimEvidence, theirs)] == [foreign.pk]


def test_the_evidence_list_costs_the_same_queries_however_long():
    tenant = TenantFactory()
    client = logged_in(tenant, Role.VIEWER)
    claim_evidence(tenant)
    with CaptureQueriesContext(connection) as short:
        client.get("/compliance/evidence/")
    for n in range(8):
        claim_evidence(tenant, "sales_rank", title=f"Ranking {n}")

    with CaptureQueriesContext(connection) as long:
        response = client.get("/compliance/evidence/")

    assert response.text.count("Ranking ") == 8
    assert len(long.captured_queries) == len(short.captured_queries)


# CUSTOM RULES -------------------------------------------------------------------------------


def test_members_read_the_brands_own_words():
    mine, theirs = TenantFactory(), TenantFactory()
    custom_rule(mine, "banned", "秒杀")
    custom_rule(mine, "allowed", "最美丽 Most Beautiful®")
    custom_rule(theirs, "banned", "Their word")

    response = logged_in(mine, Role.EDITOR).get("/compliance/rules/")

    assert response.status_code == 200
    assert [r.phrase for r in response.context["banned"]] == ["秒杀"]
    assert [r.phrase for r in response.context["allowed"]] == ["最美丽 Most Beautiful®"]
    assert "Their word" not in response.text
    assert "Owners and admins add and remove rules." in response.text


def test_an_admin_adds_a_banned_word_and_the_check_blocks_it():
    tenant = TenantFactory()
    client = logged_in(tenant)

    response = client.post(
        "/compliance/rules/",
        {"kind": "banned", "phrase": " 平替 ", "note": "品牌规范"},
        follow=True,
    )

    assert "“平替” added to the banned words." in response.text
    assert [(r.kind, r.phrase, r.note) for r in rows(CustomRule, tenant)] == [
        ("banned", "平替", "品牌规范")
    ]
    checked = client.post("/compliance/check/", {"text": "这是大牌平替"})
    assert 'id="verdict">Must change<' in checked.text


def test_a_duplicate_word_is_a_form_error():
    tenant = TenantFactory()
    custom_rule(tenant, "banned", "秒杀")

    response = logged_in(tenant).post("/compliance/rules/", {"kind": "banned", "phrase": "秒杀"})

    assert response.status_code == 400
    assert "The brand already has this banned." in response.context["form"].errors["phrase"]
    assert len(rows(CustomRule, tenant)) == 1


def test_without_the_team_plan_adding_is_refused_with_a_link_to_billing_and_removing_works():
    tenant = TenantFactory()
    old = custom_rule(tenant, "banned", "秒杀")
    on_plan(tenant, "pro")
    client = logged_in(tenant, Role.OWNER)

    page = client.get("/compliance/rules/")
    refused = client.post("/compliance/rules/", {"kind": "allowed", "phrase": "最美丽"})
    removed = client.post(f"/compliance/rules/{old.pk}/delete/")

    assert "Custom rules are part of the Team plan." in page.text
    assert refused.status_code == 403
    assert "part of the Team plan; upgrade to add or change them" in refused.text
    assert 'href="/billing/#plans"' in refused.text
    assert removed.status_code == 302
    assert rows(CustomRule, tenant) == []


def test_another_brands_rule_cannot_be_removed():
    mine, theirs = TenantFactory(), TenantFactory()
    foreign = custom_rule(theirs)

    response = logged_in(mine).post(f"/compliance/rules/{foreign.pk}/delete/")

    assert response.status_code == 404
    assert [r.pk for r in rows(CustomRule, theirs)] == [foreign.pk]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_roles_without_compliance_management_cannot_change_rules(role):
    tenant = TenantFactory()
    kept = custom_rule(tenant)
    client = logged_in(tenant, role)

    added = client.post("/compliance/rules/", {"kind": "banned", "phrase": "新词"})
    removed = client.post(f"/compliance/rules/{kept.pk}/delete/")

    assert (added.status_code, removed.status_code) == (403, 403)
    assert [r.pk for r in rows(CustomRule, tenant)] == [kept.pk]
