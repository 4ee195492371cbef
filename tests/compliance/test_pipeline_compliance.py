from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from compliance import checker, moderation, pipeline, selectors
from compliance.models import FindingRecord, ModerationCase, PriceRecord, ReviewItem
from generation import catalog
from generation.backends.text.base import Copy
from generation.models import Job, Render
from tenants.context import tenant_scope
from tests.billing.factories import anomalies, balance
from tests.generation.factories import product
from tests.tenants.factories import TenantFactory, rows

from .factories import (
    BLOCKED_SCRIPT,
    CLEAN_SCRIPT,
    HELD_SCRIPT,
    claim_evidence,
    planned,
    rendered,
    review_items,
)

pytestmark = pytest.mark.django_db

CHANNELS = ("main_800x800", "banner_1200x628")


def renders_of(tenant, job) -> list[Render]:
    return rows(Render, tenant, job=job)


def field_text(copy: dict, field: str) -> str:
    if field.startswith("bullets["):
        return copy["bullets"][int(field[len("bullets[") : -1])]
    return copy[field]


def test_clean_copy_passes_and_every_render_records_the_check():
    tenant = TenantFactory()

    job = planned(tenant, CLEAN_SCRIPT, channels=CHANNELS, variants=3)

    renders = renders_of(tenant, job)
    assert len(renders) == 6
    assert {(r.compliance_state, r.compliance_verdict) for r in renders} == {("passed", "pass")}
    assert {r.ruleset_version for r in renders} == {checker.ruleset_version()}
    assert all(r.compliance["findings"] == [] for r in renders)
    assert job.compliance_summary == {
        "ruleset_version": checker.ruleset_version(),
        "checked": 3, "passed": 3, "held": 0, "rewritten": 0, "dropped": [],
    }  # fmt: skip
    assert (job.variants_dropped, review_items(tenant)) == (0, [])


def test_copy_at_review_renders_held_with_one_review_item_each_and_spans_that_map_back():
    tenant = TenantFactory()

    job = planned(tenant, HELD_SCRIPT, channels=CHANNELS, variants=2)

    renders = renders_of(tenant, job)
    assert {(r.compliance_state, r.compliance_verdict) for r in renders} == {("held", "review")}
    assert sorted(i.render_id for i in review_items(tenant, job)) == [r.pk for r in renders]
    assert {i.state for i in review_items(tenant, job)} == {ReviewItem.State.OPEN}
    findings = [f for r in renders for f in r.compliance["findings"]]
    assert findings
    for render in renders:
        for finding in render.compliance["findings"]:
            text = field_text(render.copy, finding["field"])
            assert text[finding["start"] : finding["end"]] == finding["match"] == "抑菌"
    assert job.compliance_summary["held"] == 2


def test_a_blocked_copy_is_rewritten_rendered_with_the_rewritten_text_and_moderated():
    tenant = TenantFactory()

    job = planned(tenant, BLOCKED_SCRIPT, channels=CHANNELS, variants=2)

    renders = renders_of(tenant, job)
    assert len(renders) == 4
    original = "\n".join(str(v) for v in renders[0].compliance["original_copy"].values())
    assert "三天祛痘" in original
    for render in renders:
        assert "三天祛痘" not in str(render.copy)
        assert (render.compliance["rewrites"], render.compliance["first_verdict"]) == (1, "block")
        assert render.compliance_verdict != "block"
    cases = rows(ModerationCase, tenant)
    assert sorted(c.render_id for c in cases) == [r.pk for r in renders]
    assert {c.reason for c in cases} == {ModerationCase.Reason.BLOCK}
    assert job.compliance_summary["rewritten"] == 2


@override_settings(APP_COMPLIANCE_REWRITE_ROUNDS=0)
def test_without_rewrite_rounds_every_blocked_variant_is_dropped_and_the_job_fails_uncharged():
    tenant = TenantFactory()
    before = balance(tenant)

    job = planned(tenant, BLOCKED_SCRIPT, variants=3)

    assert renders_of(tenant, job) == []
    assert (job.status, job.variants_dropped) == (Job.Status.FAILED, 3)
    assert "blocked by the ad-law check" in job.error
    dropped = job.compliance_summary["dropped"]
    assert [d["variant"] for d in dropped] == [0, 1, 2]
    assert all("祛痘" in d["reason"] for d in dropped)
    assert balance(tenant) == before
    assert anomalies(tenant) == []


def _product_with_inflated_reference(tenant, sku: str):
    item = product(tenant, sku=sku, price=Decimal("199.00"))
    with tenant_scope(tenant.pk):
        for price in (Decimal("159.00"), Decimal("149.00")):
            fields = catalog.ProductFields(
                sku=sku, title=item.title, category=item.category, price=price,
                reference_price=Decimal("199.00") if price == Decimal("149.00") else None,
                reference_price_basis="原价" if price == Decimal("149.00") else "",
            )  # fmt: skip
            item = catalog.product_update(
                tenant=tenant, user=None, product_id=item.pk, fields=fields
            )
        now = timezone.now()
        for record, days in zip(
            PriceRecord.objects.filter(product=item).order_by("recorded_at"),
            (10, 3, 0),
            strict=True,
        ):
            PriceRecord.objects.filter(pk=record.pk).update(recorded_at=now - timedelta(days=days))
    return item


def test_a_products_reference_price_above_its_seven_day_low_drops_only_its_variants():
    tenant = TenantFactory()
    inflated = _product_with_inflated_reference(tenant, "INFLATED")
    honest = product(tenant, sku="HONEST", price=Decimal("99.00"))

    job = planned(tenant, CLEAN_SCRIPT, product_ids=(inflated.pk, honest.pk), variants=4)

    renders = renders_of(tenant, job)
    assert sorted(r.variant for r in renders) == [1, 3]  # variant i is about product i % 2
    assert {r.product_id for r in renders} == {honest.pk}
    assert job.variants_dropped == 2
    reasons = [d["reason"] for d in job.compliance_summary["dropped"]]
    assert all("CNY 199.00" in r and "CNY 159.00" in r for r in reasons)
    assert job.status == Job.Status.RUNNING


def test_valid_evidence_lets_a_claim_pass_with_a_citation_and_expired_evidence_does_not():
    tenant = TenantFactory()
    cleaner = product(tenant, sku="CLEANER", title="厨房清洁喷雾", category="家居")
    today = timezone.localdate()
    claim_evidence(
        tenant, "lab_test", title="2023 抑菌检测", issuer="SGS",
        valid_from=date(2023, 1, 1), valid_until=today - timedelta(days=1),
    )  # fmt: skip

    held = planned(tenant, HELD_SCRIPT, product_ids=(cleaner.pk,), variants=1)
    report = claim_evidence(
        tenant, "lab_test", title="2026 抑菌率检测报告", issuer="SGS 通标",
        valid_from=today - timedelta(days=30),
    )  # fmt: skip
    cited = planned(tenant, HELD_SCRIPT, product_ids=(cleaner.pk,), variants=1)

    [held_render], [cited_render] = renders_of(tenant, held), renders_of(tenant, cited)
    assert (held_render.compliance_state, held_render.compliance["citations"]) == ("held", [])
    assert (cited_render.compliance_state, cited_render.compliance_verdict) == ("passed", "pass")
    citations = cited_render.compliance["citations"]
    assert citations and {c["evidence_id"] for c in citations} == {report.pk}
    assert {c["issuer"] for c in citations} == {"SGS 通标"}
    for citation in citations:
        text = field_text(cited_render.copy, citation["field"])
        assert text[citation["start"] : citation["end"]] == citation["match"]


def test_brand_banned_words_block_and_are_rewritten_away():
    tenant = TenantFactory()
    with tenant_scope(tenant.pk):
        context = selectors.brand_context(tenant=tenant)
    copy = Copy(
        headline="温和好用", subheadline="早晚都能用", bullets=("温和", "补水", "秒杀价"),
        cta="马上下单", host_line="家人们冲", social_post="#好物",
    )  # fmt: skip
    banned = replace(context, banned_words=("秒杀",))

    check = pipeline.copy_check(copy, context=banned, lang="zh")
    rewritten = pipeline.copy_rewrite(copy, check)

    assert check.verdict == "block"
    [finding] = check.findings_json()
    assert (finding["field"], finding["start"], finding["end"]) == ("bullets[2]", 0, 2)
    assert "秒杀" not in str(rewritten.as_json())
    assert pipeline.copy_check(rewritten, context=banned, lang="zh").verdict != "block"


@pytest.mark.parametrize(("rate", "sampled"), [(1.0, 4), (0.0, 0)])
def test_a_sample_of_passed_renders_goes_to_platform_moderation(rate, sampled):
    tenant = TenantFactory()

    with override_settings(APP_COMPLIANCE_SAMPLE_RATE=rate):
        job = planned(tenant, CLEAN_SCRIPT, channels=CHANNELS, variants=2)

    cases = rows(ModerationCase, tenant)
    assert len(cases) == sampled
    assert {c.reason for c in cases} <= {ModerationCase.Reason.SAMPLE}
    assert all(moderation.in_sample(c.render_id, rate=rate) for c in cases)
    assert {r.compliance_state for r in renders_of(tenant, job)} == {"passed"}  # still released


def test_sampling_is_deterministic_per_render_and_close_to_the_rate():
    chosen = [moderation.in_sample(render_id, rate=0.05) for render_id in range(1, 20_001)]

    assert chosen == [moderation.in_sample(render_id, rate=0.05) for render_id in range(1, 20_001)]
    assert 0.045 < sum(chosen) / len(chosen) < 0.055


def test_first_check_findings_are_kept_per_article_and_week_for_each_brand():
    mine, theirs = TenantFactory(), TenantFactory()
    planned(mine, HELD_SCRIPT, variants=2)
    planned(mine, BLOCKED_SCRIPT, variants=1)
    planned(theirs, HELD_SCRIPT, variants=1)

    with tenant_scope(mine.pk):
        report = selectors.findings_per_week(tenant=mine)
        stored = FindingRecord.objects.filter(tenant=mine).count()
    everyone = selectors.findings_per_week_all_brands()

    week = timezone.now().date() - timedelta(days=timezone.now().weekday())
    assert {row.week for row in report} == {week}
    assert sum(row.count for row in report) == stored > 0
    assert any("第十七条" in row.reference for row in report)
    assert {row.tenant_id for row in everyone} >= {mine.pk, theirs.pk}
    assert sum(r.count for r in everyone if r.tenant_id == mine.pk) == stored


def test_a_rendered_asset_carries_the_check_in_its_receipt():
    tenant = TenantFactory()

    job = rendered(tenant, HELD_SCRIPT, variants=1)

    [render] = rows(Render, tenant, job=job)
    with tenant_scope(tenant.pk):
        receipt = Render.objects.select_related("asset").get(pk=render.pk).asset.receipt
    assert receipt["rule_set_version"] == checker.ruleset_version()
    assert receipt["copy"] == render.copy
    assert receipt["compliance"]["verdict"] == "review"
    assert receipt["compliance"]["findings"] == render.compliance["findings"]
