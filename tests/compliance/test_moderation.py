import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from billing.models import LedgerEntry
from compliance import moderation, review, selectors
from compliance.exceptions import ReviewStateError
from compliance.models import ComplianceDecision, ModerationCase, ReviewItem
from generation import jobs
from generation.models import Render
from tenants.context import tenant_scope, unscoped
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.billing.factories import anomalies, balance
from tests.tenants.factories import TenantFactory, UserFactory, member, rows

from .factories import CLEAN_SCRIPT, HELD_SCRIPT, fresh, planned, rendered, review_items

pytestmark = pytest.mark.django_db


def staff(name: str = "mod"):
    return UserFactory(username=f"{name}@platform.test", is_staff=True)


def sampled_job(tenant, *, finalize: bool = True, variants: int = 1):
    """A job of passed renders, every one of them sampled for moderation."""
    with override_settings(APP_COMPLIANCE_SAMPLE_RATE=1.0):
        return rendered(tenant, CLEAN_SCRIPT, variants=variants, finalize=finalize)


def case_of(tenant) -> ModerationCase:
    [case] = rows(ModerationCase, tenant)
    return case


def refunds(tenant) -> list[tuple[str, Decimal]]:
    return [
        (e.idempotency_key, e.purchased_delta) for e in rows(LedgerEntry, tenant, kind="refund")
    ]


def test_a_rejection_takes_the_asset_away_and_refunds_its_credits_once():
    tenant = TenantFactory()
    job = sampled_job(tenant)
    case = case_of(tenant)
    before = balance(tenant)
    moderator = staff()

    moderation.moderation_decide(staff=moderator, case_id=case.pk, decision="reject",
                                 reason_code="false_or_misleading", note="夸大")  # fmt: skip
    moderation.moderation_decide(staff=moderator, case_id=case.pk, decision="reject",
                                 reason_code="false_or_misleading", note="夸大")  # fmt: skip

    render = fresh(tenant, Render, case.render_id)
    assert (render.compliance_state, render.is_released) == ("rejected", False)
    [item] = review_items(tenant)  # the brand sees the rejection in its queue, and may appeal
    assert (item.state, item.decided_by_staff, item.reason_code) == (
        "rejected", True, "false_or_misleading",
    )  # fmt: skip
    price = job.render_price(render.channel)
    assert refunds(tenant) == [(f"refund:render:{render.pk}", price)]
    assert balance(tenant)["available"] == before["available"] + price
    assert anomalies(tenant) == []
    [decision] = rows(ComplianceDecision, tenant)
    assert (decision.by_staff, decision.actor_id, decision.reason_code) == (
        True, moderator.pk, "false_or_misleading",
    )  # fmt: skip
    assert decision.ruleset_version == render.ruleset_version != ""
    assert len(rows(AuditEvent, tenant, action="compliance.moderation_rejected")) == 1


def test_a_render_rejected_while_its_job_runs_is_refunded_when_the_job_is_charged():
    tenant = TenantFactory()
    job = sampled_job(tenant, finalize=False, variants=2)
    first, second = sorted(rows(ModerationCase, tenant), key=lambda c: c.render_id)

    moderation.moderation_decide(staff=staff(), case_id=first.pk, decision="reject",
                                 reason_code="superlative")  # fmt: skip
    assert refunds(tenant) == []  # nothing was charged yet
    with tenant_scope(tenant.pk):
        jobs.job_finalize(tenant_id=tenant.pk, job_id=job.pk)
        jobs.job_finalize(tenant_id=tenant.pk, job_id=job.pk)

    price = job.render_price("main_800x800")
    [capture] = rows(LedgerEntry, tenant, kind="capture")
    assert -(capture.available_delta + capture.reserved_delta) == 2 * price
    assert refunds(tenant) == [(f"refund:render:{first.render_id}", price)]
    assert anomalies(tenant) == []
    assert fresh(tenant, Render, second.render_id).compliance_state == "passed"


def test_approving_a_sampled_render_leaves_it_released():
    tenant = TenantFactory()
    sampled_job(tenant)
    case = case_of(tenant)

    decided = moderation.moderation_decide(staff=staff(), case_id=case.pk, decision="approve")

    assert decided.state == "approved"
    assert fresh(tenant, Render, case.render_id).compliance_state == "passed"
    assert review_items(tenant) == [] and refunds(tenant) == []


def test_an_escalation_approved_by_staff_releases_the_held_render():
    tenant = TenantFactory()
    reviewer = member(tenant, Role.REVIEWER).user
    rendered(tenant, HELD_SCRIPT, variants=1)
    [item] = review_items(tenant)
    with tenant_scope(tenant.pk):
        review.review_escalate(tenant=tenant, user=reviewer, item_id=item.pk)

    moderation.moderation_decide(staff=staff(), case_id=case_of(tenant).pk, decision="approve")

    assert fresh(tenant, ReviewItem, item.pk).state == "approved"
    assert fresh(tenant, Render, item.render_id).compliance_state == "approved"


def test_staff_approval_does_not_overturn_the_brands_own_rejection():
    tenant = TenantFactory()
    reviewer = member(tenant, Role.REVIEWER).user
    rendered(tenant, "家人们，这款精华三天祛痘，温和抑菌。", variants=1)  # blocked, then held
    [item] = review_items(tenant)
    with tenant_scope(tenant.pk):
        review.review_reject(tenant=tenant, user=reviewer, item_id=item.pk,
                             reason_code="brand_policy")  # fmt: skip
    case = case_of(tenant)
    assert case.reason == "block"

    moderation.moderation_decide(staff=staff(), case_id=case.pk, decision="approve")

    assert fresh(tenant, Render, item.render_id).compliance_state == "rejected"
    assert fresh(tenant, ReviewItem, item.pk).state == "rejected"


def test_an_appeal_goes_to_another_moderator_and_a_granted_one_releases_the_render():
    tenant = TenantFactory()
    owner = member(tenant, Role.OWNER).user
    sampled_job(tenant)
    case = case_of(tenant)
    first, second = staff("first"), staff("second")
    moderation.moderation_decide(staff=first, case_id=case.pk, decision="reject",
                                 reason_code="unsubstantiated_claim")  # fmt: skip
    [item] = review_items(tenant)
    with tenant_scope(tenant.pk):
        review.review_appeal(tenant=tenant, user=owner, item_id=item.pk, message="有出处")

    assert moderation.moderation_claim_next(staff=first) is None
    with pytest.raises(PermissionDenied, match="different moderator"):
        moderation.moderation_decide(staff=first, case_id=case.pk, decision="approve")
    claimed = moderation.moderation_claim_next(staff=second)
    moderation.moderation_decide(staff=second, case_id=case.pk, decision="approve")

    assert (claimed.pk, claimed.stage) == (case.pk, "appeal")
    assert fresh(tenant, Render, case.render_id).compliance_state == "approved"
    assert fresh(tenant, ReviewItem, item.pk).state == "approved"
    assert len(refunds(tenant)) == 1  # the refund stands; a granted appeal charges nothing
    assert [d.action for d in rows(ComplianceDecision, tenant)] == ["reject", "appeal", "approve"]


def test_claim_next_takes_the_most_urgent_case_and_one_at_a_time():
    tenant = TenantFactory()
    sampled_job(tenant, variants=3)
    cases = rows(ModerationCase, tenant)
    with unscoped(reason="test: make the last case the most urgent"):
        ModerationCase.all_tenants.filter(pk=cases[-1].pk).update(
            due_at=timezone.now() - timedelta(hours=1)
        )
    alice, bob = staff("alice"), staff("bob")

    first = moderation.moderation_claim_next(staff=alice)
    again = moderation.moderation_claim_next(staff=alice)
    other = moderation.moderation_claim_next(staff=bob)

    assert first.pk == again.pk == cases[-1].pk
    assert other.pk not in (first.pk, None)
    assert (first.state, first.claimed_by_id) == ("claimed", alice.pk)
    with pytest.raises(ReviewStateError, match="claimed"):
        moderation.moderation_decide(staff=bob, case_id=first.pk, decision="approve")


def test_an_expired_claim_returns_to_the_queue():
    tenant = TenantFactory()
    sampled_job(tenant)
    alice, bob = staff("alice"), staff("bob")
    claimed = moderation.moderation_claim_next(staff=alice)
    with unscoped(reason="test: age the claim"):
        ModerationCase.all_tenants.filter(pk=claimed.pk).update(
            claimed_at=timezone.now() - timedelta(minutes=31)
        )

    taken = moderation.moderation_claim_next(staff=bob)

    assert (taken.pk, taken.claimed_by_id) == (claimed.pk, bob.pk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_share_a_case():
    tenant = TenantFactory()
    sampled_job(tenant, variants=4)
    moderators = [staff(f"m{n}") for n in range(4)]
    claimed: list[int | None] = []
    barrier = threading.Barrier(len(moderators))

    def claim(user) -> None:
        try:
            barrier.wait()
            case = moderation.moderation_claim_next(staff=user)
            claimed.append(case.pk if case else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in moderators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert None not in claimed
    assert len(set(claimed)) == 4


def test_only_staff_moderate():
    tenant = TenantFactory()
    sampled_job(tenant)
    owner = member(tenant, Role.OWNER).user

    with pytest.raises(PermissionDenied):
        moderation.moderation_claim_next(staff=owner)
    with pytest.raises(PermissionDenied):
        moderation.moderation_decide(staff=owner, case_id=case_of(tenant).pk, decision="approve")

    assert case_of(tenant).state == "open"


@pytest.mark.parametrize(
    ("decision", "reason_code", "note", "field"),
    [
        ("reject", "", "", "reason_code"),
        ("reject", "brand_policy", "", "reason_code"),  # the brand's, not the platform's
        ("reject", "other_law", "", "note"),
        ("maybe", "", "", "decision"),
    ],
)
def test_a_decision_needs_a_known_reason_and_changes_nothing_otherwise(
    decision, reason_code, note, field
):
    tenant = TenantFactory()
    sampled_job(tenant)
    case = case_of(tenant)

    with pytest.raises(ValidationError) as refused:
        moderation.moderation_decide(
            staff=staff(), case_id=case.pk, decision=decision, reason_code=reason_code, note=note
        )

    assert field in refused.value.message_dict
    assert case_of(tenant).state == "open"
    assert rows(ComplianceDecision, tenant) == []


def test_a_decided_case_refuses_the_other_decision():
    tenant = TenantFactory()
    sampled_job(tenant)
    case = case_of(tenant)
    moderation.moderation_decide(staff=staff("a"), case_id=case.pk, decision="approve")

    with pytest.raises(ReviewStateError):
        moderation.moderation_decide(staff=staff("b"), case_id=case.pk, decision="reject",
                                     reason_code="superlative")  # fmt: skip

    assert case_of(tenant).state == "approved"
    assert refunds(tenant) == []


def test_the_staff_queue_lists_every_brands_open_cases_most_urgent_first():
    one, two = TenantFactory(), TenantFactory()
    sampled_job(one)
    sampled_job(two)
    rendered(two, HELD_SCRIPT, variants=1)
    [item] = review_items(two)
    with tenant_scope(two.pk):
        review.review_escalate(tenant=two, user=None, item_id=item.pk)

    queue = selectors.moderation_queue()
    stats = selectors.moderation_stats()

    assert {case.tenant_id for case in queue} == {one.pk, two.pk}
    assert queue[0].reason == "escalation"  # due in 4 h, the others in 24 h
    assert [c.due_at for c in queue] == sorted(c.due_at for c in queue)
    assert (stats.open, stats.claimed, stats.overdue, stats.appeals) == (3, 0, 0, 0)
    detail = selectors.moderation_case_get(case_id=queue[0].pk)
    assert [d.action for d in detail.history] == ["escalate"]


def test_a_planned_job_without_a_sample_opens_no_case():
    tenant = TenantFactory()

    with override_settings(APP_COMPLIANCE_SAMPLE_RATE=0.0):
        planned(tenant, CLEAN_SCRIPT, variants=3)

    assert rows(ModerationCase, tenant) == []
