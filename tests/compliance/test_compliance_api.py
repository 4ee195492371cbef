from decimal import Decimal
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import ClaimEvidence, ComplianceDecision, CustomRule, ReviewItem
from generation.models import Render
from generation.pages_support import job_gallery
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.billing.factories import on_plan
from tests.generation.factories import product
from tests.tenants import factories as tenant_factories
from tests.tenants.factories import TenantFactory, rows

from .factories import HELD_SCRIPT, PDF, fresh, rendered, review_items

pytestmark = pytest.mark.django_db

ALL_SCOPES = ("compliance:check", "compliance:review", "compliance:manage", "assets:read")
COPY = {
    "headline": "温和清洁好帮手",
    "subheadline": "早晚都能用",
    "bullets": ["温和配方", "清爽不黏", "日常好物"],
    "cta": "马上下单",
    "host_line": "家人们，温和清洁，早晚都能用！",
    "social_post": "分享一个温和的好物 #好物",
}


key_client = partial(tenant_factories.key_client, scopes=ALL_SCOPES)


def without_signed_links(body: dict) -> dict:
    """A download link is signed with the second it was made, so two answers a second apart
    differ in it and nothing else."""
    asset = {k: v for k, v in body["asset"].items() if k not in ("download_url", "preview_url")}
    return {**body, "asset": asset}


session = tenant_factories.session_client


def error(response) -> dict:
    return response.json()["error"]


# CHECK --------------------------------------------------------------------------------------


def test_a_text_is_checked_with_the_brand_context():
    tenant = TenantFactory()

    response = key_client(tenant).post(
        "/api/v1/compliance/check", {"text": "这是全网最好的面霜", "lang": "zh"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"verdict", "findings", "citations", "ruleset_version", "warnings"}
    assert body["verdict"] == "block"
    assert {f["match"] for f in body["findings"]} >= {"最好"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "The text is empty"), ("好" * 100_001, "the limit is 100,000")],
)
def test_an_empty_or_too_long_text_is_a_400_that_says_why(text, message):
    response = key_client(TenantFactory()).post(
        "/api/v1/compliance/check", {"text": text}, format="json"
    )

    assert response.status_code == 400
    assert message in error(response)["details"]["text"][0]


def test_another_brands_product_is_not_found():
    mine, theirs = TenantFactory(), TenantFactory()
    their_product = product(theirs)

    response = key_client(mine).post(
        "/api/v1/compliance/check", {"text": "补水", "product_id": their_product.pk}, format="json"
    )

    assert response.status_code == 404


def test_a_products_unverifiable_reference_price_is_a_finding():
    tenant = TenantFactory()
    item = product(tenant, price=Decimal("149.00"), reference_price=Decimal("199.00"),
                   reference_price_basis="原价")  # fmt: skip

    body = (
        key_client(tenant)
        .post(
            "/api/v1/compliance/check", {"text": "温和补水", "product_id": item.pk}, format="json"
        )
        .json()
    )

    assert body["verdict"] == "review"
    assert [f["rule"] for f in body["findings"]] == ["price.product_reference_unverifiable"]


def test_a_key_without_the_check_scope_is_refused():
    response = key_client(TenantFactory(), scopes=("jobs:read",)).post(
        "/api/v1/compliance/check", {"text": "补水"}, format="json"
    )

    assert response.status_code == 403
    assert "compliance:check" in error(response)["message"]


# REVIEW QUEUE AND DOWNLOADS -----------------------------------------------------------------


def test_a_held_asset_has_no_download_link_until_it_is_approved():
    tenant = TenantFactory()
    job = rendered(tenant, HELD_SCRIPT, variants=1)
    client = key_client(tenant)
    [item] = review_items(tenant)

    held = client.get(f"/api/v1/jobs/{job.pk}/assets").json()["results"][0]
    with tenant_scope(tenant.pk):
        [tile] = job_gallery(tenant=tenant, job=job)
    approved = client.post(f"/api/v1/compliance/review-items/{item.pk}/approve", {}, format="json")
    released = client.get(f"/api/v1/jobs/{job.pk}/assets").json()["results"][0]

    assert (held["asset"]["url"], held["compliance"]["state"]) == (None, "held")
    assert "Held for ad-law review" in held["asset"]["withheld"]
    assert (tile.download_url, tile.compliance_state) == ("", "held")
    assert approved.status_code == 200, approved.content
    assert approved.json()["asset"]["download_url"]
    assert released["asset"]["url"] and released["asset"]["withheld"] is None


def test_the_job_page_shows_a_held_poster_at_review_without_a_download_link():
    tenant = TenantFactory()
    job = rendered(tenant, HELD_SCRIPT, variants=1)

    page = session(tenant).get(f"/jobs/{job.pk}/").content.decode()

    assert "At review" in page and "/compliance/reviews/" in page
    assert ">Download<" not in page


def test_the_job_detail_counts_held_renders_and_dropped_variants():
    tenant = TenantFactory()
    job = rendered(tenant, HELD_SCRIPT, variants=2)

    body = key_client(tenant, scopes=("jobs:read",)).get(f"/api/v1/jobs/{job.pk}").json()

    assert body["compliance"]["renders"]["held"] == 2
    assert (body["compliance"]["variants_dropped"], body["compliance"]["held"]) == (0, 2)


def test_an_item_shows_its_findings_and_approving_twice_is_one_decision():
    tenant = TenantFactory()
    rendered(tenant, HELD_SCRIPT, variants=1)
    [item] = review_items(tenant)
    client = key_client(tenant)

    shown = client.get(f"/api/v1/compliance/review-items/{item.pk}").json()
    first = client.post(f"/api/v1/compliance/review-items/{item.pk}/approve", {}, format="json")
    second = client.post(f"/api/v1/compliance/review-items/{item.pk}/approve", {}, format="json")

    assert shown["state"] == "open" and shown["verdict"] == "review"
    assert shown["asset"]["download_url"] is None and shown["asset"]["preview_url"]
    assert {f["match"] for f in shown["findings"]} == {"抑菌"}
    assert (first.status_code, second.status_code) == (200, 200)
    assert without_signed_links(first.json()) == without_signed_links(second.json())
    [decision] = rows(ComplianceDecision, tenant)
    assert (decision.actor_id, decision.actor_api_key_id is not None) == (None, True)


def test_a_rejection_needs_a_known_reason_and_a_rejected_item_cannot_be_approved():
    tenant = TenantFactory()
    rendered(tenant, HELD_SCRIPT, variants=1)
    [item] = review_items(tenant)
    client = session(tenant, Role.REVIEWER)
    url = f"/api/v1/compliance/review-items/{item.pk}"

    unknown = client.post(f"{url}/reject", {"reason_code": "nope"}, format="json")
    rejected = client.post(f"{url}/reject", {"reason_code": "medical_claim", "note": "x"},
                           format="json")  # fmt: skip
    approve = client.post(f"{url}/approve", {}, format="json")

    assert unknown.status_code == 400 and "reason_code" in error(unknown)["details"]
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["reason_article"].startswith("《中华人民共和国广告法》第十七条")
    assert (approve.status_code, error(approve)["code"]) == (409, "conflict")
    assert fresh(tenant, ReviewItem, item.pk).state == "rejected"


def test_an_edit_still_blocked_answers_with_its_findings_and_a_clean_one_re_renders():
    tenant = TenantFactory()
    rendered(tenant, HELD_SCRIPT, variants=1)
    [item] = review_items(tenant)
    client = session(tenant, Role.ADMIN)
    url = f"/api/v1/compliance/review-items/{item.pk}/edit"

    blocked = client.post(url, {"copy": {**COPY, "headline": "效果最好的面霜"}}, format="json")
    malformed = client.post(url, {"copy": {"headline": "x"}}, format="json")
    edited = client.post(url, {"copy": COPY}, format="json")

    assert (blocked.status_code, error(blocked)["code"]) == (400, "copy_blocked")
    assert [f["field"] for f in error(blocked)["details"]["findings"]] == ["headline"]
    assert malformed.status_code == 400
    assert edited.status_code == 200, edited.content
    assert (edited.json()["copy"], edited.json()["render_status"]) == (COPY, "pending")
    assert fresh(tenant, Render, item.render_id).copy == COPY


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_members_without_review_decisions_get_403_and_nothing_changes(role):
    tenant = TenantFactory()
    rendered(tenant, HELD_SCRIPT, variants=1)
    [item] = review_items(tenant)

    response = session(tenant, role).post(
        f"/api/v1/compliance/review-items/{item.pk}/approve", {}, format="json"
    )

    assert response.status_code == 403
    assert fresh(tenant, ReviewItem, item.pk).state == "open"


def test_appealing_without_a_moderators_rejection_is_a_conflict():
    tenant = TenantFactory()
    rendered(tenant, HELD_SCRIPT, variants=1)
    [item] = review_items(tenant)

    response = key_client(tenant).post(
        f"/api/v1/compliance/review-items/{item.pk}/appeal", {"message": "请复核"}, format="json"
    )

    assert response.status_code == 409


def test_the_list_filters_by_state_and_its_query_count_stays_flat(django_assert_num_queries):
    tenant = TenantFactory()
    client = key_client(tenant)
    rendered(tenant, HELD_SCRIPT, variants=1)
    client.get("/api/v1/compliance/review-items")  # the key's first use records last_used_at
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/compliance/review-items")
    rendered(tenant, HELD_SCRIPT, variants=3, seed=7)

    with django_assert_num_queries(len(one.captured_queries)):
        listed = client.get("/api/v1/compliance/review-items?state=open")

    assert listed.json()["count"] == 4
    assert client.get("/api/v1/compliance/review-items?state=approved").json()["count"] == 0
    assert client.get("/api/v1/compliance/review-items?state=bogus").status_code == 400


# EVIDENCE AND RULES -------------------------------------------------------------------------


def test_evidence_is_uploaded_changed_and_deleted_over_the_api():
    tenant = TenantFactory()
    client = key_client(tenant)

    created = client.post(
        "/api/v1/compliance/evidence",
        {
            "claim": "award", "title": "2025 金妆奖", "issuer": "天猫",
            "valid_from": "2025-01-01", "valid_until": "2026-12-31",
            "document": SimpleUploadedFile("award.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )  # fmt: skip
    evidence_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/compliance/evidence/{evidence_id}", {"valid_until": None}, format="json"
    )
    deleted = client.delete(f"/api/v1/compliance/evidence/{evidence_id}")

    assert created.status_code == 201, created.content
    assert created.json()["content_type"] == "application/pdf"
    assert created.json()["document_url"]
    assert (changed.status_code, changed.json()["valid_until"]) == (200, None)
    assert deleted.status_code == 204
    assert rows(ClaimEvidence, tenant) == []


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("scan.gif", b"GIF89a" + b"\0" * 32, "document"),
        ("huge.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1) + b"%%EOF", "document"),
        ("ok.pdf", PDF, "claim"),
    ],
)
def test_bad_evidence_uploads_are_400_and_store_nothing(name, content, field):
    tenant = TenantFactory()
    claim = "unknown_kind" if field == "claim" else "award"

    response = key_client(tenant).post(
        "/api/v1/compliance/evidence",
        {"claim": claim, "title": "t", "issuer": "i", "valid_from": "2025-01-01",
         "document": SimpleUploadedFile(name, content)},
        format="multipart",
    )  # fmt: skip

    assert response.status_code == 400
    assert field in error(response)["details"]
    assert rows(ClaimEvidence, tenant) == []


def test_custom_rules_need_the_team_plan():
    team, pro = TenantFactory(), TenantFactory()
    on_plan(pro, "pro")
    rule = {"kind": "banned", "phrase": "秒杀"}

    added = key_client(team).post("/api/v1/compliance/rules", rule, format="json")
    refused = session(pro).post("/api/v1/compliance/rules", rule, format="json")

    assert added.status_code == 201
    assert (refused.status_code, error(refused)["code"]) == (403, "plan_limit")
    assert "Team plan" in error(refused)["message"]
    assert rows(CustomRule, pro) == []


def test_an_editor_session_cannot_manage_rules():
    tenant = TenantFactory()

    response = session(tenant, Role.EDITOR).post(
        "/api/v1/compliance/rules", {"kind": "banned", "phrase": "秒杀"}, format="json"
    )

    assert response.status_code == 403
    assert rows(CustomRule, tenant) == []


def test_reason_codes_name_their_articles():
    codes = key_client(TenantFactory()).get("/api/v1/compliance/reason-codes").json()["results"]

    by_code = {c["code"]: c for c in codes}
    assert by_code["price_comparison"]["article"].startswith("《明码标价和禁止价格欺诈规定》")
    assert by_code["brand_policy"]["staff"] is False
